<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI Guidelines chapter 12, Critical Apparatus: app, lem, rdg, rdgGrp, witnesses (listWit).

  In the text an apparatus entry (parallel segmentation: app inside the text) shows its lemma (lem, else the first
  reading) followed by a mark; on screen the mark is a button that opens a pop-over (HTML popover: opened by click
  or tap, closed by Esc, no script needed) listing every reading with its witnesses' sigla, each siglum a link to
  the witness list page. In print the entry follows the lemma as <span class="app-entry">, which the Typst
  converter sets in the page's apparatus criticus, apart from the notes.

  An entry that stands apart from the text (location-referenced: in a listApp, or with @loc, @from or @to) is
  marked where its @to (else @from) anchor stands when that anchor is in the file; the others are listed where the
  listApp stands, each with its @loc.

  The readings of the pop-over and of the entry carry data-pagefind-ignore: search and snippets read the lemma only.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:key name="ed:witness" match="tei:witness[@xml:id]" use="string(@xml:id)"/>
  <!-- A location-referenced entry by the anchor it is shown at: its @to, else its @from. -->
  <xsl:key name="ed:app-at" match="tei:app[@to or @from]"
      use="substring-after(normalize-space((@to, @from)[1]), '#')"/>

  <xsl:function name="ed:app-apart" as="xs:boolean">
    <!-- True for an entry that stands apart from the text it comments on. -->
    <xsl:param name="app" as="element()"/>
    <xsl:sequence select="exists($app/ancestor::tei:listApp) or exists($app/@loc | $app/@from | $app/@to)"/>
  </xsl:function>

  <xsl:function name="ed:app-lemma" as="element()?">
    <!-- The reading the text shows: the lemma, else (no lemma: all readings equal) the first reading. -->
    <xsl:param name="app" as="element()"/>
    <xsl:sequence select="($app/(tei:lem | tei:rdgGrp/tei:lem), $app/(tei:rdg | tei:rdgGrp/tei:rdg))[1]"/>
  </xsl:function>

  <xsl:function name="ed:app-placed" as="xs:boolean">
    <!-- True for an entry apart from the text whose anchor is in the file: it is marked there. -->
    <xsl:param name="app" as="element()"/>
    <xsl:variable name="at" select="substring-after(normalize-space(($app/@to, $app/@from)[1]), '#')"/>
    <xsl:sequence select="$at != '' and exists(key('ed:by-id', $at, root($app))[self::tei:anchor])"/>
  </xsl:function>

  <!-- Every entry's number in the document, counted once: generate-id() -> position. -->
  <xsl:variable name="ed:app-numbers" as="map(xs:string, xs:integer)"
      select="let $apps := //tei:app return map:merge(for $i in 1 to count($apps) return map:entry(generate-id($apps[$i]), $i))"/>

  <xsl:function name="ed:app-key" as="xs:string">
    <!-- The entry's anchor token, unique in the document. -->
    <xsl:param name="app" as="element()"/>
    <xsl:sequence select="'app-' || $ed:app-numbers(generate-id($app))"/>
  </xsl:function>

  <xsl:function name="ed:lemma-words" as="xs:string">
    <!-- The lemma as the entry repeats it: its words, a long one shortened to "first … last". -->
    <xsl:param name="lemma" as="element()?"/>
    <!-- The words as the reading text gives them: of a choice, the correction, regularisation or expansion only. -->
    <xsl:variable name="words" select="tokenize(normalize-space(string-join($lemma//text()[not(ancestor::tei:note)]
        [not(ancestor::tei:sic[parent::tei:choice] or ancestor::tei:orig[parent::tei:choice]
             or ancestor::tei:abbr[parent::tei:choice])], '')), ' ')[. != '']"/>
    <xsl:sequence select="if (count($words) gt 4) then $words[1] || ' … ' || $words[last()] else string-join($words, ' ')"/>
  </xsl:function>

  <!-- A witness's siglum: its @n, else its abbr[@type='siglum'], else its id. -->
  <xsl:function name="ed:siglum" as="xs:string">
    <xsl:param name="witness" as="element()"/>
    <xsl:sequence select="(normalize-space($witness/@n)[. != ''],
        normalize-space($witness/tei:abbr[@type = 'siglum'][1])[. != ''], string($witness/@xml:id))[1]"/>
  </xsl:function>

  <!-- The sigla of a reading's @wit: each a link to the witness on the witness page, when the file lists it. -->
  <xsl:template name="ed:sigla">
    <xsl:param name="reading" as="element()"/>
    <xsl:variable name="tokens" select="tokenize(normalize-space($reading/@wit), ' ')[. != '']"/>
    <xsl:if test="exists($tokens)">
      <span class="app-wits">
        <xsl:for-each select="$tokens">
          <xsl:variable name="id" select="if (starts-with(., '#')) then substring(., 2) else ''"/>
          <xsl:variable name="witness" select="if ($id != '') then key('ed:witness', $id, root($reading))[1] else ()"/>
          <xsl:if test="position() gt 1">
            <xsl:text> </xsl:text>
          </xsl:if>
          <xsl:choose>
            <xsl:when test="exists($witness) and not($ed:print) and $doc-id != ''">
              <a class="siglum" href="{$ed:root}documents/{ed:id-segment($doc-id)}/witnesses/#{ed:token($id)}"
                 title="{normalize-space(string-join($witness//text()[not(ancestor::tei:abbr[@type = 'siglum'])], ''))}">
                <xsl:value-of select="ed:siglum($witness)"/>
              </a>
            </xsl:when>
            <xsl:when test="exists($witness)">
              <span class="siglum"><xsl:value-of select="ed:siglum($witness)"/></span>
            </xsl:when>
            <xsl:otherwise>
              <span class="siglum"><xsl:value-of select="if ($id != '') then $id else ."/></span>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
      </span>
    </xsl:if>
  </xsl:template>

  <!-- One reading in an entry: its text (or "om." when the witness omits the passage) and its sigla. -->
  <xsl:template name="ed:app-reading">
    <xsl:param name="reading" as="element()"/>
    <xsl:param name="omitted" as="xs:string" select="'om.'"/>
    <span class="{if ($reading/self::tei:lem) then 'app-lem-reading' else 'app-rdg'}">
      <xsl:if test="$reading/@xml:lang">
        <xsl:attribute name="lang" select="$reading/@xml:lang"/>
      </xsl:if>
      <xsl:choose>
        <xsl:when test="normalize-space(string-join($reading//text(), '')) = '' and empty($reading/*)">
          <em class="app-om"><xsl:value-of select="$omitted"/></em>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="$reading/node()">
            <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
            <xsl:with-param name="ed:in-link" tunnel="yes" select="false()"/>
          </xsl:apply-templates>
        </xsl:otherwise>
      </xsl:choose>
    </span>
    <xsl:if test="$reading/@wit">
      <xsl:text> </xsl:text>
      <xsl:call-template name="ed:sigla">
        <xsl:with-param name="reading" select="$reading"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="ed:app-authorities">
      <xsl:with-param name="reading" select="$reading"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Who proposed a reading, or where it is printed (EpiDoc: lem resp="BL 9.17", rdg source="#bertolini1876b"),
       after the reading, where no witness is named: a pointer to the file's own bibliography or list of persons
       is named as that entry names itself, other words stand as they are. -->
  <xsl:template name="ed:app-authorities">
    <xsl:param name="reading" as="element()"/>
    <!-- (@resp holds pointers by TEI's rules, but EpiDoc's papyri write a citation there: "BL 9.17") -->
    <xsl:variable name="resp" select="normalize-space($reading/@resp)"/>
    <xsl:variable name="tokens" select="tokenize(normalize-space($reading/@source), ' ')[. != ''],
                                        if (contains($resp, '#')) then tokenize($resp, ' ') else $resp[. != '']"/>
    <xsl:variable name="authorities" select="for $t in $tokens return ed:authority($t, $reading)"/>
    <xsl:if test="exists($authorities) and not($reading/@wit)">
      <xsl:text> </xsl:text>
      <span class="app-source"><xsl:value-of select="string-join(distinct-values($authorities), ', ')"/></span>
    </xsl:if>
  </xsl:template>

  <xsl:function name="ed:authority" as="xs:string">
    <xsl:param name="token" as="xs:string"/>
    <xsl:param name="context" as="element()"/>
    <xsl:variable name="entry" select="if (starts-with($token, '#'))
                                       then key('ed:by-id', substring($token, 2), root($context))[1] else ()"/>
    <xsl:variable name="named" select="normalize-space(string(($entry/tei:title[@type = 'short'], $entry/tei:title,
                                       $entry/(tei:persName | tei:name | tei:orgName), $entry/tei:author)[1]))"/>
    <xsl:sequence select="if ($named != '') then $named
                          else if (exists($entry)) then normalize-space(string-join($entry//text()[not(ancestor::tei:ptr)], ''))
                          else if (starts-with($token, '#')) then substring($token, 2) else $token"/>
  </xsl:function>

  <!-- The entry: "lemma] sigla; reading sigla; om. sigla", with the entry's notes. -->
  <xsl:template name="ed:app-entry-content">
    <xsl:param name="app" as="element()"/>
    <!-- An entry apart from the text with readings only (EpiDoc: what other editors read at a line) repeats no
         lemma: each reading is given whole. -->
    <xsl:variable name="lemma" select="if (ed:app-apart($app) and empty($app/(tei:lem | tei:rdgGrp/tei:lem))) then ()
                                       else ed:app-lemma($app)"/>
    <xsl:variable name="readings" select="$app/(tei:rdg | tei:rdgGrp/tei:rdg)[not(. is $lemma)]"/>
    <xsl:if test="exists($lemma)">
      <span class="app-lemma">
        <xsl:value-of select="ed:lemma-words($lemma)"/>
      </span>
      <xsl:text>]</xsl:text>
      <xsl:if test="$lemma/@wit">
        <xsl:text> </xsl:text>
        <xsl:call-template name="ed:sigla">
          <xsl:with-param name="reading" select="$lemma"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="ed:app-authorities">
        <xsl:with-param name="reading" select="$lemma"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:for-each select="$readings">
      <xsl:if test="position() gt 1 or $lemma/(@wit | @resp | @source)">
        <xsl:text>;</xsl:text>
      </xsl:if>
      <xsl:if test="position() gt 1 or exists($lemma)">
        <xsl:text> </xsl:text>
      </xsl:if>
      <xsl:call-template name="ed:app-reading">
        <xsl:with-param name="reading" select="."/>
        <xsl:with-param name="omitted" select="if (normalize-space(string($lemma)) = '') then '' else 'om.'"/>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:if test="$app/tei:note">
      <xsl:text> </xsl:text>
      <xsl:apply-templates select="$app/tei:note"/>
    </xsl:if>
  </xsl:template>

  <!-- The mark after the lemma and the entry it opens (screen), or the entry itself (print). -->
  <xsl:template name="ed:app-mark">
    <xsl:param name="app" as="element()"/>
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="key" select="ed:app-key($app)"/>
    <xsl:choose>
      <xsl:when test="$ed:print">
        <span class="app-entry" data-lemma="{ed:lemma-words(ed:app-lemma($app))}">
          <xsl:call-template name="ed:app-entry-content">
            <xsl:with-param name="app" select="$app"/>
          </xsl:call-template>
        </span>
      </xsl:when>
      <xsl:when test="$ed:in-link">
        <span class="app-mark" aria-hidden="true">°</span>
      </xsl:when>
      <xsl:otherwise>
        <button type="button" class="app-mark" popovertarget="{$key}" aria-controls="{$key}" data-pagefind-ignore=""
                aria-label="Variant readings of “{ed:lemma-words(ed:app-lemma($app))}”">°</button>
        <span class="app-entry" id="{$key}" popover="auto" role="note" data-pagefind-ignore="all"
              aria-label="Apparatus entry">
          <xsl:call-template name="ed:app-entry-content">
            <xsl:with-param name="app" select="$app"/>
          </xsl:call-template>
        </span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An entry inside the text (parallel segmentation): the lemma, marked. -->
  <xsl:template match="tei:app[not(ed:app-apart(.))][tei:lem | tei:rdg | tei:rdgGrp]">
    <xsl:variable name="lemma" select="ed:app-lemma(.)"/>
    <span data-ed-apparatus="">
      <!-- A short lemma is kept on one line with its mark. -->
      <xsl:sequence select="ed:attributes(., ('app', if (count(tokenize(ed:lemma-words($lemma), ' ')) le 2) then 'app-short' else ()))"/>
      <span class="app-lem">
        <xsl:if test="$lemma/@xml:lang">
          <xsl:attribute name="lang" select="$lemma/@xml:lang"/>
        </xsl:if>
        <xsl:apply-templates select="$lemma/node()">
          <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
        </xsl:apply-templates>
      </span>
      <xsl:call-template name="ed:app-mark">
        <xsl:with-param name="app" select="."/>
      </xsl:call-template>
    </span>
  </xsl:template>

  <!-- An entry apart from the text: shown at its anchor or in its list, never where it stands. -->
  <xsl:template match="tei:app[ed:app-apart(.)][tei:lem | tei:rdg | tei:rdgGrp | tei:note]"/>

  <!-- The anchor an entry apart from the text points to: the anchor, then the entry's mark. -->
  <xsl:template match="tei:anchor[@xml:id][exists(key('ed:app-at', string(@xml:id)))]">
    <xsl:next-match/>
    <span class="app app-placed" data-ed-apparatus="">
      <xsl:for-each select="key('ed:app-at', string(@xml:id))">
        <xsl:call-template name="ed:app-mark">
          <xsl:with-param name="app" select="."/>
        </xsl:call-template>
      </xsl:for-each>
    </span>
  </xsl:template>

  <!-- A list of entries apart from the text: the entries not marked at an anchor, each with its location. -->
  <xsl:template match="tei:listApp[.//tei:app]">
    <xsl:variable name="listed" select=".//tei:app[not(ed:app-placed(.))][not(ancestor::tei:app)]"/>
    <xsl:if test="exists($listed)">
      <xsl:call-template name="ed:block">
        <xsl:with-param name="class" select="'apparatus-list'"/>
        <xsl:with-param name="attributes" as="attribute()*">
          <xsl:attribute name="data-pagefind-ignore" select="'all'"/>
        </xsl:with-param>
        <xsl:with-param name="children" select="()"/>
        <xsl:with-param name="before" as="item()*">
          <span class="apparatus-title block">Apparatus criticus</span>
          <xsl:for-each select="$listed">
            <span class="apparatus-item block">
              <xsl:if test="@loc">
                <span class="app-loc"><xsl:value-of select="normalize-space(@loc)"/></span>
                <xsl:text> </xsl:text>
              </xsl:if>
              <xsl:call-template name="ed:app-entry-content">
                <xsl:with-param name="app" select="."/>
              </xsl:call-template>
            </span>
          </xsl:for-each>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- The witness list belongs to the witness page; in the text it takes no room. -->
  <xsl:template match="tei:listWit[ancestor::tei:text][tei:witness]"/>
  <!-- Inside an entry, the witnesses' details are the witness page's. -->
  <xsl:template match="tei:app//tei:witDetail | tei:app//tei:wit"/>

</xsl:stylesheet>
