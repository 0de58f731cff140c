<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI Guidelines chapter 11, Representation of Primary Sources: editorial interventions
  (choice, sic/corr, orig/reg, abbr/expan, supplied, gap, unclear...) and the physical
  traces of the source (add, del, handShift, stamp, damage, fw...).
  On screen the edited reading is shown and the source reading appears on hover or focus;
  in print the source reading goes to a footnote.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:function name="ed:reason" as="xs:string?">
    <!-- A short "(reason, extent)" description of an intervention's attributes, or nothing. -->
    <xsl:param name="el" as="element()"/>
    <xsl:variable name="extent" select="
        if ($el/@extent) then normalize-space($el/@extent)
        else if ($el/@quantity) then normalize-space(string-join(($el/@quantity, $el/@unit), ' '))
        else ()"/>
    <xsl:variable name="parts" select="(translate(normalize-space($el/@reason), '-_', '  '), $extent)[. != '']"/>
    <xsl:sequence select="if (exists($parts)) then string-join($parts, ', ') else ()"/>
  </xsl:function>

  <!-- One reading of a choice, as a span classed by its element name. -->
  <xsl:template name="ed:reading">
    <xsl:param name="reading" as="element()?"/>
    <xsl:param name="title" as="xs:string?" select="()"/>
    <xsl:for-each select="$reading">
      <span>
        <xsl:sequence select="ed:attributes(., lower-case(local-name()))"/>
        <xsl:if test="exists($title)">
          <xsl:attribute name="title" select="$title"/>
        </xsl:if>
        <xsl:apply-templates>
          <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
        </xsl:apply-templates>
      </span>
    </xsl:for-each>
  </xsl:template>

  <!--
    A choice pairs an edited reading (corr, reg, expan) with the source's (sic, orig, abbr).
    The edited reading comes first whatever the order in the source.
  -->
  <xsl:template match="tei:choice[(tei:sic and tei:corr) or (tei:orig and tei:reg) or (tei:abbr and tei:expan)]">
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:param name="ed:in-footnote" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="pair" select="
        if (tei:sic and tei:corr) then ('corr', 'sic', 'source reading', 'Source reads: ')
        else if (tei:orig and tei:reg) then ('reg', 'orig', 'source spelling', 'Source spelling: ')
        else ('expan', 'abbr', 'abbreviation in the source', ())"/>
    <xsl:variable name="edited" select="*[local-name() = $pair[1]][1]"/>
    <xsl:variable name="source" select="*[local-name() = $pair[2]][1]"/>
    <span>
      <xsl:sequence select="ed:attributes(., ('choice', if ($pair[1] = 'corr') then () else 'choice-' || $pair[1]))"/>
      <xsl:if test="not($ed:print or $ed:in-link)">
        <xsl:attribute name="tabindex" select="0"/>
      </xsl:if>
      <xsl:call-template name="ed:reading">
        <xsl:with-param name="reading" select="$edited"/>
      </xsl:call-template>
      <xsl:choose>
        <xsl:when test="not($ed:print)">
          <xsl:call-template name="ed:reading">
            <xsl:with-param name="reading" select="$source"/>
            <xsl:with-param name="title" select="$pair[3]"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:when test="exists($pair[4]) and $ed:in-footnote">
          <span class="source-reading">
            <xsl:value-of select="' [' || $pair[4]"/>
            <xsl:call-template name="ed:reading">
              <xsl:with-param name="reading" select="$source"/>
            </xsl:call-template>
            <xsl:text>]</xsl:text>
          </span>
        </xsl:when>
        <xsl:when test="exists($pair[4])">
          <span class="footnote note-editorial">
            <xsl:value-of select="$pair[4]"/>
            <xsl:call-template name="ed:reading">
              <xsl:with-param name="reading" select="$source"/>
              <xsl:with-param name="ed:in-footnote" tunnel="yes" select="true()"/>
            </xsl:call-template>
          </span>
        </xsl:when>
      </xsl:choose>
    </span>
  </xsl:template>

  <!-- Any other choice (alternative readings): the first, then the others marked as alternatives. -->
  <xsl:template match="tei:choice">
    <span>
      <xsl:sequence select="ed:attributes(., ('choice', 'choice-other'))"/>
      <xsl:apply-templates select="*[1]">
        <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
      </xsl:apply-templates>
      <xsl:for-each select="*[position() > 1]">
        <span class="alt" title="alternative reading">
          <xsl:apply-templates select=".">
            <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
          </xsl:apply-templates>
        </span>
      </xsl:for-each>
    </span>
  </xsl:template>

  <xsl:template match="tei:sic">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'sic'"/>
      <xsl:with-param name="after" as="item()*">
        <xsl:text> </xsl:text>
        <span class="sic-mark" title="thus in the source">[sic]</span>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:corr | tei:reg | tei:orig">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="local-name()"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="
            if (self::tei:corr) then 'corrected by the editor'
            else if (self::tei:reg) then 'regularised by the editor'
            else 'spelling of the source'"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:supplied">
    <xsl:variable name="reason" select="ed:reason(.)"/>
    <xsl:variable name="bracketed" select="matches(normalize-space(.), '^\[.*\]$')"/>
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'supplied'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'supplied by the editor' || (if (exists($reason)) then ' (' || $reason || ')' else '')"/>
      </xsl:with-param>
      <!-- A transcription that keeps the source's own brackets inside <supplied> ("[£]") gets no second pair. -->
      <xsl:with-param name="before" select="if ($bracketed) then () else '['"/>
      <xsl:with-param name="after" select="if ($bracketed) then () else ']'"/>
    </xsl:call-template>
  </xsl:template>

  <!-- A unit of @unit as words go with @quantity: "6 characters", "1 line" (EpiDoc's units are singular nouns). -->
  <xsl:function name="ed:unit-word" as="xs:string?">
    <xsl:param name="unit" as="attribute()?"/>
    <xsl:param name="quantity" as="attribute()?"/>
    <xsl:variable name="word" select="normalize-space($unit)"/>
    <xsl:variable name="plural" select="map{'character': 'characters', 'line': 'lines', 'word': 'words',
        'letter': 'letters', 'page': 'pages', 'column': 'columns', 'leaf': 'leaves', 'folio': 'folios',
        'sign': 'signs', 'signature': 'signatures', 'glyph': 'glyphs', 'syllable': 'syllables'}"/>
    <xsl:sequence select="
        if (empty($unit)) then ()
        else if ($quantity castable as xs:decimal and xs:decimal($quantity) != 1 and map:contains($plural, $word))
        then $plural($word) else $word"/>
  </xsl:function>

  <xsl:template match="tei:gap">
    <xsl:variable name="reason" select="lower-case(normalize-space(@reason))"/>
    <xsl:variable name="desc" select="normalize-space(string-join(tei:desc, ' '))"/>
    <xsl:variable name="extent" select="
        if (@extent) then normalize-space(@extent)
        else normalize-space(string-join((@quantity, ed:unit-word(@unit, @quantity)), ' '))"/>
    <xsl:variable name="details" select="(if ($reason = 'illegible') then () else translate($reason, '-_', '  '), $extent)[. != '']"/>
    <span>
      <xsl:sequence select="ed:attributes(., 'gap')"/>
      <xsl:attribute name="title" select="
          (if ($reason = 'illegible') then 'illegible in the source' else 'not transcribed')
          || (if (exists($details)) then ' (' || string-join($details, ', ') || ')' else '')
          || (if ($desc != '') then ': ' || $desc else '')"/>
      <xsl:value-of select="
          if ($desc != '') then '[' || $desc
          else if ($reason = 'illegible') then '[illegible'
          else if ($reason = ('damage', 'damaged')) then '[damaged'
          else '[&#x2026;'"/>
      <!-- The diplomatic view says why and how much: "[… not in excerpt]", "[illegible, 1 signature]". -->
      <xsl:variable name="shown" select="$details[not(. = ('damage', 'damaged'))]"/>
      <xsl:if test="not($ed:print) and exists($shown) and $desc = ''">
        <span class="dipl-only" data-pagefind-ignore="">
          <xsl:value-of select="(if ($reason = ('illegible', 'damage', 'damaged')) then ', ' else ' ')
                                || string-join($shown, ', ')"/>
        </span>
      </xsl:if>
      <xsl:text>]</xsl:text>
    </span>
  </xsl:template>

  <xsl:template match="tei:unclear">
    <xsl:variable name="reason" select="ed:reason(.)"/>
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'unclear'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'unclear in the source' || (if (exists($reason)) then ' (' || $reason || ')' else '')"/>
      </xsl:with-param>
      <xsl:with-param name="after" as="item()*">
        <span class="unclear-mark dipl-only">?</span>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:surplus">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'surplus'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'superfluous in the source'"/>
      </xsl:with-param>
      <xsl:with-param name="before" select="'{'"/>
      <xsl:with-param name="after" select="'}'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:damage">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'damage'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'damaged in the source'"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== the writing itself: additions, deletions, hands, stamps ===== -->

  <xsl:function name="ed:is-handwritten" as="xs:boolean">
    <!-- True when an addition or hand shift is in manuscript. -->
    <xsl:param name="el" as="element()"/>
    <xsl:variable name="words" select="lower-case(string-join(($el/@hand, $el/@type, $el/@rend, $el/@medium, $el/@new), ' '))"/>
    <xsl:sequence select="exists($el/@hand) or matches($words, 'hand|manuscript|pencil|ink|pen')"/>
  </xsl:function>

  <xsl:template match="tei:add">
    <xsl:variable name="label" select="if (ed:is-handwritten(.)) then 'handwritten' else 'added'"/>
    <xsl:variable name="place" select="normalize-space(@place)"/>
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'add', 'add-' || $label, ed:prefixed-classes('place', @place)"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="$label || (if ($place != '') then ' (' || $place || ')' else '')"/>
      </xsl:with-param>
      <xsl:with-param name="before" as="item()*">
        <!-- (the space inside the label: where the label is not shown, an addition inside a word, "ha<add>s</add>",
             stays inside it) -->
        <span class="mark-label">[<xsl:value-of select="$label"/>] </span>
        <xsl:if test="not($ed:print)">
          <span class="dipl-only dipl-sign">&#x2E22;</span>
        </xsl:if>
      </xsl:with-param>
      <xsl:with-param name="after" as="item()*">
        <xsl:if test="not($ed:print)">
          <span class="dipl-only dipl-sign">&#x2E23;</span>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:del">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="'del'"/>
      <xsl:with-param name="class" select="'del'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'deleted in the source'"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:subst | tei:mod | tei:restore | tei:retrace">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="lower-case(local-name())"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:handShift">
    <xsl:variable name="label" select="
        if (matches(lower-case(string(@medium)), 'typ')) then 'typewritten'
        else if (ed:is-handwritten(.)) then 'handwritten'
        else 'change of hand'"/>
    <xsl:variable name="details" select="string-join((@medium, @script)[normalize-space()] ! normalize-space(), ', ')"/>
    <span>
      <xsl:sequence select="ed:attributes(., ('handshift', 'mark-label'))"/>
      <xsl:attribute name="title" select="'change of hand' || (if ($details != '') then ' (' || $details || ')' else '')"/>
      <xsl:value-of select="'[' || $label || ']'"/>
    </span>
  </xsl:template>

  <xsl:template match="tei:stamp">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'stamp', ed:prefixed-classes('type', @type)"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'stamp'"/>
      </xsl:with-param>
      <xsl:with-param name="before" as="item()*">
        <span class="mark-label">[stamp]</span>
        <xsl:text> </xsl:text>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:space">
    <span>
      <xsl:sequence select="ed:attributes(., 'space')"/>
      <xsl:attribute name="title" select="'space left blank in the source'"/>
      <xsl:text>&#x2003;</xsl:text>
    </span>
  </xsl:template>

  <xsl:template match="tei:metamark">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'metamark', ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Forme work (running heads, page numbers, catchwords) is the page's, not the text's: on screen shown in the
       diplomatic view only, set off from the words around it, and left out of the search index. -->
  <xsl:template match="tei:fw">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'fw', ed:prefixed-classes('type', @type), if ($ed:print) then () else 'dipl-only'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:if test="not($ed:print)">
          <xsl:attribute name="data-pagefind-ignore" select="''"/>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== the key to the editorial signs (screen) ===== -->

  <!--
    A short key listing only the signs that $scope (a text, or a part of a volume) uses, with the wording of the
    PDF's "Editorial signs" (tei_edition.print.book.SIGNS) where the sign is the same.
    Each entry: (test, sample, sample class, meaning).
  -->
  <xsl:template name="ed:signs-key">
    <xsl:param name="scope" as="element()"/>
    <xsl:if test="not($ed:print)">
      <!-- The TEI elements of the page: a volume's page leaves out its parts, which have pages of their own. -->
      <xsl:variable name="all" select="$scope/descendant::tei:*"/>
      <xsl:variable name="own" select="if (exists($ed:parts) and $scope/self::tei:text)
                                       then $all[not(ancestor-or-self::*[ed:is-part(.)])] else $all"/>
      <xsl:variable name="notes" select="$own/self::tei:note[not(ed:is-inline-note(.))]"/>
      <xsl:variable name="entries" as="element()*">
        <xsl:if test="$own/self::tei:pb[normalize-space(@n) != '']">
          <ed:sign sample="p. 913" class="key-pb">A page of the source begins here; its number stands in the margin.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:pb[normalize-space(@n) = '']">
          <ed:sign sample="|" class="key-pb key-pb-unnumbered">A page of the source begins here; the source does not number it.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:p[ancestor::tei:body][not(ancestor::tei:note or ancestor::tei:p)]">
          <ed:sign sample="&#xB6;&#xA0;3" class="key-para">The paragraph&#x2019;s number; select it for a link to the paragraph.</ed:sign>
        </xsl:if>
        <xsl:if test="exists($notes)">
          <ed:sign sample="{if ($notes[normalize-space(@n) != ''] and $notes[normalize-space(@n) = '']) then '40, a' else '1'}"
              class="key-noteref">A note: select the number to read it. The source&#x2019;s own notes keep the source&#x2019;s numbers; the editors&#x2019; notes are numbered afresh in each document, or lettered a, b, c where the source numbers its own.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:gap">
          <ed:sign sample="{if ($own/self::tei:gap[lower-case(normalize-space(@reason)) = 'illegible']) then '[illegible]' else '[&#x2026;]'}" class="key-gap">Matter the editors could not read or left out; the diplomatic view gives the reason and extent.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:supplied">
          <ed:sign sample="[word]" class="key-supplied">Supplied by the editors.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:choice[tei:sic and tei:corr]">
          <ed:sign sample="word" class="key-choice">The editors&#x2019; correction of the source: the reading view shows the correction, the diplomatic view the source&#x2019;s reading; pointing at it shows the other.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:choice[tei:abbr and tei:expan]">
          <ed:sign sample="word" class="key-choice">An abbreviation: expanded in the reading view, as written in the diplomatic view.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:choice[tei:orig and tei:reg]">
          <ed:sign sample="word" class="key-choice">A spelling the editors regularised: regular in the reading view, as written in the diplomatic view.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:sic[not(parent::tei:choice)]">
          <ed:sign sample="word [sic]" class="key-sic">Thus in the source.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:add">
          <ed:sign sample="&#x2E22;word&#x2E23;" class="key-add">Added in the source (between the lines, in the margin or by another hand); marked in the diplomatic view.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:del">
          <ed:sign sample="word" class="key-del">Deleted in the source: struck through in the diplomatic view, left out of the reading view.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:unclear">
          <ed:sign sample="word?" class="key-unclear">Unclear in the source, an uncertain reading; marked in the diplomatic view.</ed:sign>
        </xsl:if>
        <xsl:if test="$own/self::tei:surplus">
          <ed:sign sample="{{word}}" class="key-surplus">Superfluous in the source.</ed:sign>
        </xsl:if>
      </xsl:variable>
      <xsl:if test="exists($entries)">
        <details class="signs-key" data-pagefind-ignore="all">
          <summary>Key to the editorial signs</summary>
          <dl>
            <xsl:for-each select="$entries">
              <div class="key-entry">
                <dt><span class="key-sample {@class}"><xsl:value-of select="@sample"/></span></dt>
                <dd><xsl:value-of select="."/></dd>
              </div>
            </xsl:for-each>
          </dl>
        </details>
      </xsl:if>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
