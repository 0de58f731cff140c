<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI Guidelines chapter 3, Elements Available in All TEI Documents: paragraphs, highlighting,
  lists, quotation, notes, links, line and page breaks, titles, verse, tables.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    exclude-result-prefixes="#all">

  <!-- Parents whose children are blocks: a quote standing here sits between paragraphs. -->
  <xsl:variable name="ed:block-parents" as="xs:string*"
      select="('div', 'div1', 'div2', 'div3', 'div4', 'div5', 'div6', 'div7', 'body', 'front', 'back',
               'note', 'sp', 'epigraph', 'argument', 'postscript', 'opener', 'closer', 'item', 'cell')"/>

  <xsl:variable name="ed:quote-marks" as="xs:string" select="'[&quot;&#x201C;&#x201D;&#x201E;&#x2018;&#x2019;&#xAB;&#xBB;]'"/>

  <xsl:key name="ed:pb-by-token" match="tei:text//tei:pb" use="ed:token(@n)"/>

  <!-- ===== paragraphs and highlighting ===== -->

  <xsl:template match="tei:p">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'p'"/>
      <xsl:with-param name="class" select="ed:prefixed-classes('type', @type)"/>
      <xsl:with-param name="before" as="item()*">
        <xsl:call-template name="ed:paragraph-number"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!--
    Paragraph numbers (screen only): every paragraph of a body, outside notes and other paragraphs, numbered from 1
    on each page (a document, or each part of a volume); an empty one (<p/>, or breaks only) is not counted: it shows
    nothing to number. Keyed by generate-id(); each value is (number, anchor).
    The anchor is "p-N", or "para-N" when the source has an xml:id "p-N" of its own.
  -->
  <xsl:variable name="ed:paragraph-index" as="map(xs:string, xs:string+)">
    <xsl:iterate select="if ($ed:print) then ()
                         else //tei:text[not(ancestor::tei:text)]//tei:body//tei:p[not(ancestor::tei:note or ancestor::tei:p)]
                              [normalize-space(.) != '' or exists(.//tei:*[not(self::tei:lb or self::tei:pb or self::tei:cb
                                                                             or self::tei:milestone or self::tei:anchor)])]">
      <xsl:param name="counts" as="map(xs:string, xs:integer)" select="map{}"/>
      <xsl:param name="index" as="map(xs:string, xs:string+)" select="map{}"/>
      <xsl:on-completion>
        <xsl:sequence select="$index"/>
      </xsl:on-completion>
      <xsl:variable name="page" select="ed:page-of(.)"/>
      <xsl:variable name="n" select="($counts($page), 0)[1] + 1"/>
      <xsl:variable name="anchor" select="if (exists(key('ed:by-id', 'p-' || $n))) then 'para-' || $n else 'p-' || $n"/>
      <xsl:next-iteration>
        <xsl:with-param name="counts" select="map:put($counts, $page, $n)"/>
        <xsl:with-param name="index" select="map:put($index, generate-id(.), (string($n), $anchor))"/>
      </xsl:next-iteration>
    </xsl:iterate>
  </xsl:variable>

  <!-- The paragraph's number in the margin, a link to the paragraph itself (nothing in print or inline). -->
  <xsl:template name="ed:paragraph-number">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="entry" select="$ed:paragraph-index(generate-id(.))"/>
    <xsl:if test="exists($entry) and not($ed:inline or $ed:in-link)">
      <a class="para-n" id="{$entry[2]}" href="#{$entry[2]}" aria-label="Paragraph {$entry[1]}"
         data-pagefind-ignore="">&#xB6;&#xA0;<xsl:value-of select="$entry[1]"/></a>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:ab">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'p'"/>
      <xsl:with-param name="class" select="'ab', ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- An address line by line, as TEI's addrLine is one line of it. -->
  <xsl:template match="tei:addrLine">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'addrLine'"/>
    </xsl:call-template>
    <xsl:if test="following-sibling::tei:addrLine">
      <br/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:hi">
    <xsl:variable name="rend" select="ed:rend-tokens(.)"/>
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="
          if ($rend = ('sup', 'super', 'superscript', 'raised')) then 'sup'
          else if ($rend = ('sub', 'subscript', 'lowered')) then 'sub'
          else if ($rend = ('bold', 'b', 'strong')) then 'strong'
          else if ($rend = ('italic', 'italics', 'i', 'it')) then 'em'
          else 'span'"/>
      <xsl:with-param name="class" select="'hi'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:emph">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="'em'"/>
      <xsl:with-param name="class" select="'emph'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:title">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="'cite'"/>
      <xsl:with-param name="class" select="'title', ed:prefixed-classes('level', @level)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:foreign | tei:term | tei:gloss | tei:mentioned | tei:distinct | tei:soCalled">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="lower-case(local-name())"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:abbr">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="'abbr'"/>
      <xsl:with-param name="class" select="'abbr'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:expan">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'expan'"/>
    </xsl:call-template>
  </xsl:template>

  <!-- An editor's expansion of an abbreviation (EpiDoc's <expan>ἐλαιῶ<ex>νος</ex></expan>): in parentheses, as the
       Leiden conventions write it. On screen the parentheses come from the style sheet, so that the word stays one
       word for the search index and for copying. -->
  <xsl:template match="tei:ex">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'ex'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="'expanded by the editor'"/>
      </xsl:with-param>
      <xsl:with-param name="before" select="if ($ed:print) then '(' else ()"/>
      <xsl:with-param name="after" select="if ($ed:print) then ')' else ()"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:num">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="element" select="if (@value) then 'data' else 'span'"/>
      <xsl:with-param name="class" select="'num'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:if test="@value">
          <xsl:attribute name="value" select="@value"/>
        </xsl:if>
      </xsl:with-param>
      <!-- A Greek numeral's tick (keraia), which EpiDoc records as rend="tick" rather than in the text. -->
      <xsl:with-param name="after" select="if (tokenize(@rend) = 'tick' and not(ends-with(normalize-space(.), '&#x374;')))
                                           then '&#x374;' else ()"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:measure">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'measure'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:for-each select="@quantity, @unit, @commodity">
          <xsl:attribute name="data-{local-name()}" select="."/>
        </xsl:for-each>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== lists ===== -->

  <xsl:function name="ed:is-ordered" as="xs:boolean">
    <!-- True for a numbered list. -->
    <xsl:param name="list" as="element()"/>
    <xsl:sequence select="$list/@type = ('ordered', 'numbered') or ed:rend-tokens($list) = ('numbered', 'ordered')
                          or exists($list/tei:item/@n)"/>
  </xsl:function>

  <xsl:template match="tei:list">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="glossary" select="exists(tei:label)"/>
    <xsl:variable name="list" as="element()">
      <xsl:call-template name="ed:block">
        <xsl:with-param name="element" select="if ($glossary) then 'dl' else if (ed:is-ordered(.)) then 'ol' else 'ul'"/>
        <xsl:with-param name="class" select="'list', ed:prefixed-classes('type', @type)"/>
        <xsl:with-param name="children" select="tei:item | tei:label"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="tei:head">
        <xsl:element name="{if ($ed:inline) then 'span' else 'div'}">
          <xsl:attribute name="class" select="'list-with-head', if ($ed:inline) then 'block' else ()" separator=" "/>
          <xsl:apply-templates select="tei:head"/>
          <xsl:sequence select="$list"/>
        </xsl:element>
      </xsl:when>
      <xsl:otherwise>
        <xsl:sequence select="$list"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A list of references (EpiDoc's editions and commentaries, a back matter's works cited): one entry a line. -->
  <xsl:template match="tei:listBibl[tei:bibl | tei:biblStruct | tei:biblFull | tei:msDesc | tei:listBibl]">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <!-- an empty entry (EpiDoc's <bibl/> placeholder) is no line of its own -->
    <xsl:variable name="entries" select="(tei:bibl | tei:biblStruct | tei:biblFull | tei:msDesc | tei:listBibl)
                                         [normalize-space(.) != '' or exists(.//tei:ptr | .//tei:ref | .//tei:graphic)]"/>
    <xsl:element name="{if ($ed:inline) then 'span' else 'div'}">
      <xsl:sequence select="ed:attributes(., ('list-bibl-wrap', if ($ed:inline) then 'block' else ()))"/>
      <xsl:apply-templates select="tei:head"/>
      <xsl:element name="{if ($ed:inline) then 'span' else 'ul'}">
        <xsl:attribute name="class" select="'list-bibl', if ($ed:inline) then 'block' else ()" separator=" "/>
        <xsl:for-each select="$entries">
          <xsl:element name="{if ($ed:inline) then 'span' else 'li'}">
            <xsl:if test="$ed:inline">
              <xsl:attribute name="class" select="'block'"/>
            </xsl:if>
            <xsl:apply-templates select="."/>
          </xsl:element>
        </xsl:for-each>
      </xsl:element>
      <xsl:apply-templates select="node()[not(. intersect $entries or self::tei:head)][not(self::text()[not(normalize-space())])]
                                          [not(self::tei:bibl | self::tei:biblStruct | self::tei:biblFull)]"/>
    </xsl:element>
  </xsl:template>

  <xsl:template match="tei:listBibl/tei:head">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'head list-head'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:list/tei:head">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'head list-head'"/>
    </xsl:call-template>
  </xsl:template>

  <!--
    Only li/dt/dd may sit in an HTML list: anything else between items (pb, note, milestone)
    is rendered at the start of the next item, or at the end of the last one.
  -->
  <xsl:template match="tei:list/tei:item | tei:list/tei:label">
    <xsl:variable name="list" select=".."/>
    <xsl:variable name="n" select="normalize-space(@n)"/>
    <xsl:variable name="glossary" select="exists($list/tei:label)"/>
    <xsl:variable name="numeric" select="$n castable as xs:integer and not($glossary)"/>
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="if (not($glossary)) then 'li' else if (self::tei:label) then 'dt' else 'dd'"/>
      <xsl:with-param name="class" select="
          if (self::tei:label) then 'label' else (),
          if ($n != '' and not($numeric)) then 'labelled' else ()"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:if test="$numeric">
          <xsl:attribute name="value" select="xs:integer($n)"/>
        </xsl:if>
      </xsl:with-param>
      <xsl:with-param name="before" as="item()*">
        <xsl:apply-templates select="ed:strays-before(., ('item', 'label'), 'head')"/>
        <xsl:if test="$n != '' and not($numeric)">
          <span class="item-n"><xsl:value-of select="$n"/></span>
          <xsl:text> </xsl:text>
        </xsl:if>
      </xsl:with-param>
      <xsl:with-param name="after" as="item()*">
        <xsl:apply-templates select="ed:strays-after(., ('item', 'label'), 'head')"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- An item outside a list (rare, but valid inside some elements). -->
  <xsl:template match="tei:item">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'item'"/>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== quotation ===== -->

  <xsl:function name="ed:is-block-quote" as="xs:boolean">
    <!-- True when a quotation holds paragraphs or stands between them. -->
    <xsl:param name="q" as="element()"/>
    <xsl:variable name="parent" select="if ($q/parent::tei:cit) then $q/../.. else $q/.."/>
    <xsl:sequence select="ed:has-block-children($q)
        or ed:rend-tokens($q) = ('block', 'blockquote', 'display')
        or ($parent/local-name() = $ed:block-parents and $parent/namespace-uri() = 'http://www.tei-c.org/ns/1.0'
            and not($parent/text()[normalize-space()]))"/>
  </xsl:function>

  <xsl:function name="ed:has-own-marks" as="xs:boolean">
    <!-- True when the transcription already carries the quotation marks around the quotation. -->
    <xsl:param name="q" as="element()"/>
    <xsl:sequence select="matches(normalize-space(string($q)), '^' || $ed:quote-marks)
        or matches(string($q/preceding-sibling::node()[1][self::text()]), $ed:quote-marks || '\s*$')"/>
  </xsl:function>

  <xsl:template match="tei:quote | tei:q | tei:said">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="class" select="lower-case(local-name()), ed:prefixed-classes('type', @type)"/>
    <xsl:choose>
      <xsl:when test="ed:is-block-quote(.)">
        <xsl:call-template name="ed:block">
          <xsl:with-param name="element" select="'blockquote'"/>
          <xsl:with-param name="class" select="$class"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="ed:inline">
          <xsl:with-param name="element" select="
              if (ed:has-own-marks(.) or @direct = 'false' or ed:rend-tokens(.) = ('block', 'no-quotes', 'noquotes'))
              then 'span' else 'q'"/>
          <xsl:with-param name="class" select="$class"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="tei:cit">
    <xsl:choose>
      <xsl:when test="ed:is-block-quote(.)">
        <xsl:call-template name="ed:block">
          <xsl:with-param name="class" select="'cit'"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="ed:inline">
          <xsl:with-param name="class" select="'cit'"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ===== notes ===== -->

  <!--
    Every note's number and anchor, computed once per document: the source's @n, else a running
    number (letters when the source numbers other notes); an anchor already taken gets a suffix.
    Keyed by generate-id(); each value is (label, anchor token).
  -->
  <xsl:variable name="ed:note-index" as="map(xs:string, xs:string+)">
    <xsl:variable name="notes" select="//tei:text[not(ancestor::tei:text)]//tei:note[not(ed:is-inline-note(.))]"/>
    <xsl:variable name="letters" select="exists($notes[normalize-space(@n) != ''])"/>
    <xsl:iterate select="$notes">
      <xsl:param name="unnumbered" as="xs:integer" select="0"/>
      <xsl:param name="seen" as="map(xs:string, xs:integer)" select="map{}"/>
      <xsl:param name="index" as="map(xs:string, xs:string+)" select="map{}"/>
      <xsl:on-completion>
        <xsl:sequence select="$index"/>
      </xsl:on-completion>
      <xsl:variable name="n" select="normalize-space(@n)"/>
      <xsl:variable name="count" select="if ($n = '') then $unnumbered + 1 else $unnumbered"/>
      <xsl:variable name="label" select="if ($n != '') then $n else format-integer($count, if ($letters) then 'a' else '1')"/>
      <xsl:variable name="token" select="ed:token($label)"/>
      <xsl:variable name="times" select="($seen($token), 0)[1] + 1"/>
      <xsl:next-iteration>
        <xsl:with-param name="unnumbered" select="$count"/>
        <xsl:with-param name="seen" select="map:put($seen, $token, $times)"/>
        <xsl:with-param name="index" select="map:put($index, generate-id(.),
            ($label, if ($times = 1) then $token else $token || '-' || $times))"/>
      </xsl:next-iteration>
    </xsl:iterate>
  </xsl:variable>

  <xsl:function name="ed:note-label" as="xs:string">
    <!-- The note's number as the reader sees it. -->
    <xsl:param name="note" as="element()"/>
    <xsl:sequence select="($ed:note-index(generate-id($note))[1], normalize-space($note/@n))[1]"/>
  </xsl:function>

  <xsl:function name="ed:note-key" as="xs:string">
    <!-- The note's anchor token, unique in the document. -->
    <xsl:param name="note" as="element()"/>
    <xsl:sequence select="($ed:note-index(generate-id($note))[2], ed:token($note/@n))[1]"/>
  </xsl:function>

  <xsl:function name="ed:note-classes" as="xs:string*">
    <!-- Classes telling editorial and translator's notes apart. -->
    <xsl:param name="note" as="element()"/>
    <xsl:sequence select="
        if ($note/@type = 'translator') then 'note-translator'
        else if ($note/@resp or $note/@type = 'editorial') then 'note-editorial'
        else (),
        ed:prefixed-classes('place', $note/@place)"/>
  </xsl:function>

  <xsl:function name="ed:note-is-missing" as="xs:boolean">
    <!-- True when the note's text is not transcribed (only a gap, or nothing). -->
    <xsl:param name="note" as="element()"/>
    <xsl:sequence select="not($note/text()[normalize-space()]) and empty($note/*[not(self::tei:gap)])"/>
  </xsl:function>

  <!-- The note's content, with its label and the message for untranscribed notes. -->
  <xsl:template name="ed:note-content">
    <xsl:if test="@type = 'translator'">
      <span class="note-type">Translator's note:</span>
      <xsl:text> </xsl:text>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="ed:note-is-missing(.)">
        <span class="note-missing">The note's text is not part of this transcription.</span>
      </xsl:when>
      <xsl:otherwise>
        <xsl:apply-templates/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- In the text: a numbered reference on screen, the whole note as a footnote in print. -->
  <xsl:template match="tei:note">
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:param name="ed:in-footnote" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="key" select="ed:note-key(.)"/>
    <xsl:choose>
      <!-- A footnote cannot hold another: a note inside a note is printed in parentheses. -->
      <xsl:when test="$ed:print and $ed:in-footnote">
        <span>
          <xsl:sequence select="ed:attributes(., ('note-nested', ed:note-classes(.)))"/>
          <xsl:text>(</xsl:text>
          <xsl:call-template name="ed:note-content">
            <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
          </xsl:call-template>
          <xsl:text>)</xsl:text>
        </span>
      </xsl:when>
      <xsl:when test="$ed:print">
        <span>
          <xsl:sequence select="ed:attributes(., ('footnote', ed:note-classes(.)))"/>
          <xsl:attribute name="data-n" select="ed:note-label(.)"/>
          <xsl:call-template name="ed:note-content">
            <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
            <xsl:with-param name="ed:in-footnote" tunnel="yes" select="true()"/>
          </xsl:call-template>
        </span>
      </xsl:when>
      <xsl:when test="$ed:in-link">
        <span class="noteref" id="noteref-{$key}"><xsl:value-of select="ed:note-label(.)"/></span>
      </xsl:when>
      <xsl:otherwise>
        <a class="noteref" id="noteref-{$key}" href="#note-{$key}"><xsl:value-of select="ed:note-label(.)"/></a>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A note the source prints in the running text (a gloss, a translator's aside) stays there. -->
  <xsl:template match="tei:note[ed:is-inline-note(.)]" priority="1">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'note-inline', ed:prefixed-classes('type', @type), ed:note-classes(.)"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:attribute name="title" select="if (@type = 'translator') then 'Translator''s note'
                                            else if (ed:note-classes(.) = 'note-editorial') then 'Editorial note'
                                            else 'Note'"/>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!--
    The notes at the end of a page (screen). When the source numbers its own notes and the editors letter theirs,
    the two series are listed apart. In each list a run of consecutive notes with the same content (a source's
    notes whose text is not transcribed) is one line; every note keeps its anchor and its link back.
  -->
  <xsl:template name="ed:endnotes">
    <xsl:param name="notes" as="element()*"/>
    <xsl:if test="not($ed:print) and exists($notes)">
      <xsl:variable name="numbered" select="$notes[normalize-space(@n) != '']"/>
      <xsl:variable name="lettered" select="$notes[normalize-space(@n) = '']"/>
      <section class="notes" aria-label="Notes">
        <h2 class="notes-head">Notes</h2>
        <xsl:choose>
          <xsl:when test="exists($numbered) and exists($lettered)">
            <h3 class="notes-series">The source&#x2019;s notes</h3>
            <xsl:call-template name="ed:note-list">
              <xsl:with-param name="notes" select="$numbered"/>
            </xsl:call-template>
            <h3 class="notes-series">The editors&#x2019; notes</h3>
            <xsl:call-template name="ed:note-list">
              <xsl:with-param name="notes" select="$lettered"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="ed:note-list">
              <xsl:with-param name="notes" select="$notes"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </section>
    </xsl:if>
  </xsl:template>

  <xsl:function name="ed:note-signature" as="xs:string">
    <!-- What two notes must share to be listed as one: their kind, language and content, not their number. -->
    <xsl:param name="note" as="element()"/>
    <!-- (Its text and each element with its attributes: serialize() would do, at ten times the cost.) -->
    <xsl:sequence select="string-join((string($note/@type), string($note/@xml:lang), ed:note-classes($note),
        if (ed:note-is-missing($note)) then 'missing'
        else (string($note), $note/descendant::* ! string-join((name(), @* ! (name() || '=' || .)), ' '))), '|')"/>
  </xsl:function>

  <xsl:template name="ed:note-list">
    <xsl:param name="notes" as="element()*"/>
    <ol class="note-list">
      <xsl:for-each-group select="$notes" group-adjacent="ed:note-signature(.)">
        <xsl:choose>
          <xsl:when test="count(current-group()) = 1">
            <xsl:apply-templates select="." mode="ed:endnote"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="ed:note-run">
              <xsl:with-param name="run" select="current-group()"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:for-each-group>
    </ol>
  </xsl:template>

  <xsl:function name="ed:label-range" as="xs:string">
    <!-- "40–48" for consecutive numbers, "40 and 41" for two, else the labels separated by commas. -->
    <xsl:param name="labels" as="xs:string+"/>
    <xsl:variable name="numbers" select="for $l in $labels return if ($l castable as xs:integer) then xs:integer($l) else ()"/>
    <xsl:sequence select="
        if (count($labels) = 2) then $labels[1] || ' and ' || $labels[2]
        else if (count($numbers) = count($labels)
                 and (every $i in 2 to count($numbers) satisfies $numbers[$i] = $numbers[$i - 1] + 1))
          then $labels[1] || '&#x2013;' || $labels[last()]
        else string-join($labels, ', ')"/>
  </xsl:function>

  <!-- A run of identical notes: one line, an anchor for each note and a link back to each reference. -->
  <xsl:template name="ed:note-run">
    <xsl:param name="run" as="element()+"/>
    <xsl:variable name="first" select="$run[1]"/>
    <xsl:variable name="labels" select="$run ! ed:note-label(.)"/>
    <li id="note-{ed:note-key($first)}" class="{string-join(('note-run', 'labelled', ed:note-classes($first)), ' ')}">
      <xsl:if test="$first/@xml:lang">
        <xsl:attribute name="lang" select="$first/@xml:lang"/>
      </xsl:if>
      <xsl:for-each select="$run">
        <xsl:if test="position() > 1">
          <span id="note-{ed:note-key(.)}" class="anchor"/>
        </xsl:if>
        <xsl:call-template name="ed:source-anchor"/>
      </xsl:for-each>
      <span class="note-label note-run-label">Notes <xsl:value-of select="ed:label-range($labels)"/>:</span>
      <xsl:text> </xsl:text>
      <xsl:choose>
        <xsl:when test="ed:note-is-missing($first)">
          <!-- data-one: the wording for one of them, which a note's pop-over shows. -->
          <span class="note-missing" data-one="The note's text is not part of this transcription.">The text of these notes is not part of this transcription.</span>
        </xsl:when>
        <xsl:otherwise>
          <xsl:for-each select="$first">
            <xsl:call-template name="ed:note-content">
              <xsl:with-param name="ed:inline" tunnel="yes" select="false()"/>
              <xsl:with-param name="ed:in-link" tunnel="yes" select="false()"/>
            </xsl:call-template>
          </xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:text> </xsl:text>
      <span class="notebacks">
        <xsl:for-each select="$run">
          <xsl:variable name="label" select="ed:note-label(.)"/>
          <a class="noteback" href="#noteref-{ed:note-key(.)}" aria-label="Back to note reference {$label}">&#x21A9;&#xA0;<xsl:value-of select="$label"/></a>
          <xsl:if test="position() != last()">
            <xsl:text> </xsl:text>
          </xsl:if>
        </xsl:for-each>
      </span>
    </li>
  </xsl:template>

  <!-- At the end of the text (screen): one list item per note, with a link back. -->
  <xsl:template match="tei:note" mode="ed:endnote">
    <xsl:variable name="key" select="ed:note-key(.)"/>
    <xsl:variable name="label" select="ed:note-label(.)"/>
    <xsl:variable name="numeric" select="$label castable as xs:integer"/>
    <li id="note-{$key}">
      <xsl:variable name="classes" select="ed:note-classes(.), if ($numeric) then () else 'labelled'"/>
      <xsl:if test="exists($classes)">
        <xsl:attribute name="class" select="string-join($classes, ' ')"/>
      </xsl:if>
      <xsl:if test="$numeric">
        <xsl:attribute name="value" select="xs:integer($label)"/>
      </xsl:if>
      <xsl:if test="@xml:lang">
        <xsl:attribute name="lang" select="@xml:lang"/>
      </xsl:if>
      <xsl:call-template name="ed:source-anchor"/>
      <xsl:if test="not($numeric)">
        <span class="note-label"><xsl:value-of select="$label"/></span>
        <xsl:text> </xsl:text>
      </xsl:if>
      <xsl:call-template name="ed:note-content">
        <xsl:with-param name="ed:inline" tunnel="yes" select="false()"/>
        <xsl:with-param name="ed:in-link" tunnel="yes" select="false()"/>
      </xsl:call-template>
      <xsl:text> </xsl:text>
      <a class="noteback" href="#noteref-{$key}" aria-label="Back to note reference {$label}">&#x21A9;</a>
    </li>
  </xsl:template>

  <!-- ===== links ===== -->

  <xsl:function name="ed:link-target" as="xs:string?">
    <!-- Where a safe pointer leads from a document page: another document, an anchor, or as given. -->
    <xsl:param name="pointer" as="xs:string?"/>
    <xsl:choose>
      <xsl:when test="matches(string($pointer), '^[A-Za-z0-9_.\-]+\.xml(#[A-Za-z0-9_.\-]*)?$')">
        <xsl:sequence select="$ed:root || 'documents/' || ed:id-segment(substring-before($pointer, '.xml')) || '/'
                              || (if (contains($pointer, '#')) then '#' || substring-after($pointer, '#') else '')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:sequence select="$pointer"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:function>

  <xsl:function name="ed:leads-somewhere" as="xs:boolean">
    <!-- False for a bare key where a pointer should be ("jmr1976", "p495": a key into a project's bibliography or
         index, neither an id "#x" nor a file's path or name), and for a path to a TEI file in another folder
         ("../bibliography/master.xml#b1", relative to the TEI file, not to the page) or a file name with no name
         (".xml"): the built site holds nothing there, and a link would lead nowhere. A document of the edition is
         named by its file's name ("d2.xml#p3"), an address by its scheme. -->
    <xsl:param name="pointer" as="xs:string?"/>
    <xsl:variable name="p" select="string($pointer)"/>
    <xsl:sequence select="exists($pointer) and not(matches($p, '^[^#/.:?]+$'))
                          and not(matches($p, '^[^#:?]*/[^#:?/]*\.xml(#|$)'))
                          and not(matches($p, '^\.xml(#|$)'))"/>
  </xsl:function>

  <xsl:template match="tei:ref | tei:ptr">
    <xsl:variable name="pointer" select="ed:pointer(@target)"/>
    <xsl:variable name="href" select="if (ed:leads-somewhere($pointer)) then ed:link-target(ed:local-link($pointer, .)) else ()"/>
    <xsl:call-template name="ed:link">
      <xsl:with-param name="href" select="$href"/>
      <xsl:with-param name="class" select="lower-case(local-name()), if (ed:is-external($href)) then 'external' else ()"/>
      <xsl:with-param name="text" select="if (self::tei:ptr or not(node())) then string((@target, $href)[1]) else ()"/>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== breaks and milestones ===== -->

  <!-- An element whose rendering carries another id (page breaks, note references) or none (line breaks) keeps
       its xml:id as an empty anchor, so that a pointer to it (a contents or index entry's "#pg_42") still lands. -->
  <xsl:template name="ed:source-anchor">
    <xsl:param name="taken" as="xs:string?" select="()"/>
    <xsl:if test="@xml:id and string(@xml:id) != string($taken)">
      <span id="{@xml:id}" class="anchor"/>
    </xsl:if>
  </xsl:template>

  <!-- The white space that lays out the source around a line break inside a word (lb break="no") is no space in
       the word. (Looked for only in a document that has such a break: the test on every text node costs 3%.) -->
  <xsl:variable name="ed:words-run-on" as="xs:boolean" select="exists(//tei:lb[@break = 'no'])"/>
  <xsl:template match="text()[$ed:words-run-on][following-sibling::node()[1][self::tei:lb[@break = 'no']]]">
    <xsl:value-of select="replace(., '\s+$', '')"/>
  </xsl:template>
  <xsl:template match="text()[$ed:words-run-on][preceding-sibling::node()[1][self::tei:lb[@break = 'no']]]"
                priority="1">
    <xsl:value-of select="replace(if (following-sibling::node()[1][self::tei:lb[@break = 'no']])
                                  then replace(., '\s+$', '') else ., '^\s+', '')"/>
  </xsl:template>

  <!-- A line break: where a word runs on across it (@break="no") a hyphen marks it at the line's end (from the
       style sheet, so that the word stays whole for search); the number of every fifth line (@n: 5, 10...) stands
       in the margin, as editions of inscriptions and papyri number them. -->
  <xsl:template match="tei:lb">
    <xsl:call-template name="ed:source-anchor"/>
    <!-- The first line of a block (an inscription's ab begins with <lb n="1"/>) needs no break before it. -->
    <xsl:variable name="block" select="ancestor::*[self::tei:p or self::tei:ab or self::tei:l or self::tei:head
                                       or self::tei:item or self::tei:cell or self::tei:div][1]"/>
    <xsl:variable name="before" select="preceding::text()[normalize-space()][1]"/>
    <xsl:variable name="first" select="exists($block) and not(some $a in $before/ancestor::* satisfies $a is $block)"/>
    <xsl:if test="@break = 'no' and not($first)">
      <span class="lb-hyphen" aria-hidden="true"><xsl:if test="$ed:print">-</xsl:if></span>
    </xsl:if>
    <xsl:if test="not($first)">
      <br/>
    </xsl:if>
    <xsl:variable name="n" select="normalize-space(@n)"/>
    <xsl:if test="not($ed:print) and $n castable as xs:integer and xs:integer($n) mod 5 = 0">
      <span class="lb-n" data-pagefind-ignore="" aria-hidden="true"><xsl:value-of select="$n"/></span>
    </xsl:if>
  </xsl:template>

  <xsl:template match="tei:pb">
    <xsl:variable name="n" select="normalize-space(@n)"/>
    <xsl:call-template name="ed:source-anchor"/>
    <xsl:choose>
      <xsl:when test="$n = ''">
        <span class="pb pb-unnumbered" role="separator" aria-label="page break">
          <xsl:if test="not($ed:print)">
            <xsl:attribute name="title" select="'A page of the source begins here'"/>
          </xsl:if>
        </span>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="token" select="ed:token($n)"/>
        <xsl:variable name="earlier" select="count(key('ed:pb-by-token', $token)[. &lt;&lt; current()])"/>
        <xsl:variable name="id" select="'page-' || $token || (if ($earlier = 0) then '' else '-' || ($earlier + 1))"/>
        <xsl:choose>
          <xsl:when test="$ed:print">
            <span class="pb" id="{$id}" data-n="{$n}"><xsl:value-of select="$n"/></span>
          </xsl:when>
          <xsl:otherwise>
            <span class="pb" id="{$id}" data-n="{$n}" role="note" aria-label="page {$n}">
              <xsl:text>p. </xsl:text>
              <xsl:value-of select="$n"/>
            </span>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="tei:cb | tei:milestone">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <!-- A milestone drawn as a rule in the source becomes a thematic break where HTML allows one. -->
    <xsl:variable name="rule" select="self::tei:milestone and ed:rend-tokens(.) = ('rule', 'line', 'hr') and not($ed:inline)"/>
    <xsl:element name="{if ($rule) then 'hr' else 'span'}">
      <xsl:sequence select="ed:attributes(., (lower-case(local-name()), ed:prefixed-classes('unit', @unit)))"/>
      <xsl:if test="@n">
        <xsl:attribute name="data-n" select="@n"/>
      </xsl:if>
    </xsl:element>
  </xsl:template>

  <xsl:template match="tei:anchor">
    <span>
      <xsl:sequence select="ed:attributes(., 'anchor')"/>
    </span>
  </xsl:template>

  <!-- Index entries are for a back-of-book index, not for the running text: kept, but hidden. -->
  <xsl:template match="tei:index">
    <span class="index" hidden="hidden">
      <xsl:apply-templates/>
    </span>
  </xsl:template>

  <!-- ===== verse ===== -->

  <xsl:template match="tei:lg">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'lg', ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:l">
    <xsl:variable name="n" select="normalize-space(@n)"/>
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'l'"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:if test="@n">
          <xsl:attribute name="data-n" select="@n"/>
        </xsl:if>
      </xsl:with-param>
      <!-- a verse's number every fifth line, in the margin (as the line breaks of inscriptions are numbered) -->
      <xsl:with-param name="before" as="item()*">
        <xsl:if test="not($ed:print) and $n castable as xs:integer and xs:integer($n) mod 5 = 0">
          <span class="lb-n" data-pagefind-ignore="" aria-hidden="true"><xsl:value-of select="$n"/></span>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ===== tables ===== -->

  <xsl:template match="tei:table">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:choose>
      <xsl:when test="$ed:inline">
        <xsl:call-template name="ed:block">
          <xsl:with-param name="class" select="'table'"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <table>
          <xsl:sequence select="ed:attributes(., 'table')"/>
          <xsl:apply-templates select="tei:head[1]"/>
          <tbody>
            <xsl:apply-templates select="tei:row"/>
          </tbody>
        </table>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="tei:table/tei:head">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'caption'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:table/tei:row">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'tr'"/>
      <xsl:with-param name="children" select="tei:cell"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:table/tei:row/tei:cell">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="if (@role = 'label' or ../@role = 'label') then 'th' else 'td'"/>
      <xsl:with-param name="before" as="item()*">
        <xsl:if test="empty(preceding-sibling::tei:cell)">
          <xsl:apply-templates select="ed:strays-before(.., 'row', 'head')"/>
        </xsl:if>
        <xsl:apply-templates select="ed:strays-before(., 'cell', ())"/>
      </xsl:with-param>
      <xsl:with-param name="after" as="item()*">
        <xsl:apply-templates select="ed:strays-after(., 'cell', ())"/>
        <xsl:if test="empty(following-sibling::tei:cell)">
          <xsl:apply-templates select="ed:strays-after(.., 'row', 'head')"/>
        </xsl:if>
      </xsl:with-param>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:if test="@cols castable as xs:positiveInteger">
          <xsl:attribute name="colspan" select="xs:integer(@cols)"/>
        </xsl:if>
        <xsl:if test="@rows castable as xs:positiveInteger">
          <xsl:attribute name="rowspan" select="xs:integer(@rows)"/>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

</xsl:stylesheet>
