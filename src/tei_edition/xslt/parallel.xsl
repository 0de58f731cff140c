<?xml version="1.0" encoding="UTF-8"?>
<!--
  Parallel texts: a document that holds its text in more than one language shows the versions side by side.

  The versions (columns) of a container, in document order:
    - an EpiDoc edition and its translations: the first div[@type='edition'] (the primary one where marked) and
      every div[@type='translation'] that has text;
    - a group's texts in different languages: text[@xml:lang];
    - sibling divisions in different languages: div[@xml:lang], when at least two languages are there.
  The first version is shown with all of them in one block (class "parallel"), the others where they stand give
  nothing.

  Alignment: when the encoding pairs the versions' units (the children of each version: paragraphs, ab, divisions)
  by @corresp (either way) or by a link whose @target names both, the block is made of rows, one per unit of the
  first version that has a partner: each row shows that unit and its partners, with the units that follow each of
  them up to the next aligned one. Without such pairs the versions are two (or more) columns, each whole.

  Every cell carries the lang of its version; a row of labels names each version's language (from the header's
  langUsage, else a table of common languages, else the code). The language switch is written hidden: the page's
  script (assets/apparatus.js) shows it and remembers the reader's choice; without scripts both versions show.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:key name="ed:link-by-id" match="tei:link[@target]" use="ed:local-ids(@target)"/>

  <xsl:variable name="ed:language-names" as="map(xs:string, xs:string)" select="map{
      'ar': 'Arabic', 'cs': 'Czech', 'de': 'German', 'el': 'Greek', 'en': 'English', 'es': 'Spanish',
      'fr': 'French', 'grc': 'Ancient Greek', 'he': 'Hebrew', 'hu': 'Hungarian', 'it': 'Italian',
      'ja': 'Japanese', 'ko': 'Korean', 'la': 'Latin', 'nl': 'Dutch', 'pl': 'Polish', 'pt': 'Portuguese',
      'ru': 'Russian', 'sk': 'Slovak', 'uk': 'Ukrainian', 'zh': 'Chinese'}"/>

  <!-- The document's own language: its versions in other languages are searched from pages of their own. -->
  <xsl:variable name="ed:main-lang" as="xs:string"
      select="string((//tei:text)[1]/ancestor-or-self::*[@xml:lang][1]/@xml:lang)"/>

  <xsl:function name="ed:local-ids" as="xs:string*">
    <!-- The ids of a pointer list's local pointers ('#a #b' -> 'a', 'b'). -->
    <xsl:param name="value" as="xs:string?"/>
    <xsl:sequence select="tokenize(normalize-space($value), ' ')[starts-with(., '#')] ! substring(., 2)"/>
  </xsl:function>

  <xsl:function name="ed:has-text" as="xs:boolean">
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="normalize-space(string-join($el//text()[not(ancestor::tei:note)], '')) != ''"/>
  </xsl:function>

  <xsl:function name="ed:lang-of" as="xs:string">
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="string($el/ancestor-or-self::*[@xml:lang][1]/@xml:lang)"/>
  </xsl:function>

  <xsl:function name="ed:columns" as="element()*">
    <!-- The versions a container holds side by side (none when fewer than two). -->
    <xsl:param name="container" as="element()"/>
    <xsl:variable name="epidoc" select="
        ($container/tei:div[@type = 'edition'][not(@subtype) or @subtype = 'primary'],
         $container/tei:div[@type = 'edition'])[1],
        $container/tei:div[@type = 'translation'][ed:has-text(.)]"/>
    <xsl:variable name="found" select="
        if (exists($epidoc[@type = 'translation']) and exists($epidoc[@type = 'edition'])) then $epidoc
        else if ($container/self::tei:group) then $container/tei:text[@xml:lang][ed:has-text(.)]
        else $container/tei:div[@xml:lang][ed:has-text(.)]"/>
    <xsl:sequence select="if (count(distinct-values($found ! ed:lang-of(.))) ge 2 or exists($found[@type = 'translation'])
                          and count($found) ge 2) then $found else ()"/>
  </xsl:function>

  <xsl:function name="ed:language-name" as="xs:string">
    <xsl:param name="context" as="node()"/>
    <xsl:param name="code" as="xs:string"/>
    <xsl:variable name="declared" select="root($context)//tei:langUsage/tei:language[@ident = $code][1]"/>
    <xsl:variable name="base" select="lower-case(tokenize($code, '-')[1])"/>
    <xsl:sequence select="(normalize-space($declared)[. != ''], $ed:language-names($base), $code)[1]"/>
  </xsl:function>

  <xsl:function name="ed:column-label" as="xs:string">
    <xsl:param name="column" as="element()"/>
    <xsl:variable name="lang" select="ed:lang-of($column)"/>
    <xsl:sequence select="
        if ($column/@type = 'translation' and not($column/@xml:lang)) then 'Translation'
        else if ($lang = '') then 'Text'
        else ed:language-name($column, $lang)"/>
  </xsl:function>

  <xsl:function name="ed:linked" as="xs:boolean">
    <!-- True when the encoding pairs two units: @corresp either way, or a link naming both. -->
    <xsl:param name="a" as="element()"/>
    <xsl:param name="b" as="element()"/>
    <xsl:variable name="ai" select="string($a/@xml:id)"/>
    <xsl:variable name="bi" select="string($b/@xml:id)"/>
    <xsl:sequence select="
        ($bi != '' and $bi = ed:local-ids($a/@corresp))
        or ($ai != '' and $ai = ed:local-ids($b/@corresp))
        or ($ai != '' and $bi != '' and exists(key('ed:link-by-id', $ai, root($a))[ed:local-ids(@target) = $bi]))"/>
  </xsl:function>

  <xsl:function name="ed:is-first-column" as="xs:boolean">
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="exists($el/..) and (ed:columns($el/..)[1] is $el)"/>
  </xsl:function>

  <xsl:function name="ed:is-column" as="xs:boolean">
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="exists($el/..) and (some $c in ed:columns($el/..) satisfies $c is $el)"/>
  </xsl:function>

  <xsl:template match="tei:div[@type = ('edition', 'translation') or @xml:lang][ed:is-column(.)]
                       | tei:group/tei:text[@xml:lang][ed:is-column(.)]" priority="5">
    <xsl:if test="ed:is-first-column(.)">
      <xsl:call-template name="ed:parallel">
        <xsl:with-param name="columns" select="ed:columns(..)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- Links between versions are the encoding's, not the text's. -->
  <xsl:template match="tei:linkGrp[not(.//text()[normalize-space()])] | tei:link[not(node())]"/>

  <xsl:template name="ed:parallel">
    <xsl:param name="columns" as="element()+"/>
    <xsl:variable name="count" select="count($columns)"/>
    <xsl:variable name="anchors" select="$columns[1]/*[some $other in $columns[position() gt 1]/* satisfies ed:linked(., $other)]"/>
    <!-- Each column's units with the row each one goes to (0: before the first aligned unit). -->
    <xsl:variable name="rows" as="map(xs:string, xs:integer)">
      <xsl:map>
        <xsl:for-each select="$columns">
          <xsl:variable name="first" select="position() = 1"/>
          <xsl:iterate select="*">
            <xsl:param name="row" as="xs:integer" select="0"/>
            <xsl:variable name="unit" select="."/>
            <xsl:variable name="own" select="
                if ($first) then (for $i in 1 to count($anchors) return (if ($anchors[$i] is $unit) then $i else ()))[1]
                else (for $i in 1 to count($anchors) return (if (ed:linked($anchors[$i], $unit)) then $i else ()))[1]"/>
            <xsl:variable name="here" select="($own, $row)[1]"/>
            <xsl:map-entry key="generate-id(.)" select="$here"/>
            <xsl:next-iteration>
              <xsl:with-param name="row" select="$here"/>
            </xsl:next-iteration>
          </xsl:iterate>
        </xsl:for-each>
      </xsl:map>
    </xsl:variable>
    <div class="parallel parallel-cols-{min(($count, 4))} {if (exists($anchors)) then 'parallel-aligned' else 'parallel-whole'}"
         data-ed-parallel="">
      <xsl:if test="not($ed:print)">
        <div class="parallel-switch" role="group" aria-label="Versions shown" hidden="" data-pagefind-ignore="all">
          <xsl:for-each select="$columns">
            <button type="button" class="parallel-show" data-show="{position()}" aria-pressed="false">
              <xsl:value-of select="ed:column-label(.)"/>
            </button>
          </xsl:for-each>
          <button type="button" class="parallel-show" data-show="all" aria-pressed="true">
            <xsl:value-of select="if ($count = 2) then 'Both' else 'All'"/>
          </button>
        </div>
      </xsl:if>
      <div class="parallel-row parallel-labels" aria-hidden="true" data-pagefind-ignore="all">
        <xsl:for-each select="$columns">
          <p class="parallel-label" data-column="{position()}"><xsl:value-of select="ed:column-label(.)"/></p>
        </xsl:for-each>
      </div>
      <xsl:for-each select="0 to count($anchors)">
        <xsl:variable name="r" select="."/>
        <xsl:variable name="cells" as="element()*">
          <xsl:for-each select="$columns">
            <xsl:variable name="units" select="*[$rows(generate-id(.)) = $r]"/>
            <div class="parallel-cell" data-column="{position()}" aria-label="{ed:column-label(.)}">
              <xsl:if test="ed:lang-of(.) != ''">
                <xsl:attribute name="lang" select="ed:lang-of(.)"/>
              </xsl:if>
              <xsl:if test="ed:lang-of(.) != '' and ed:lang-of(.) != $ed:main-lang">
                <!-- Indexed in its own language from its own page (web/versions.py), not with this page. -->
                <xsl:attribute name="data-ed-version" select="ed:lang-of(.)"/>
                <xsl:attribute name="data-pagefind-ignore" select="'all'"/>
              </xsl:if>
              <xsl:if test="$r = 0">
                <xsl:sequence select="ed:attributes(., ())[name() = 'id']"/>
              </xsl:if>
              <xsl:apply-templates select="$units"/>
            </div>
          </xsl:for-each>
        </xsl:variable>
        <xsl:if test="exists($cells[node()])">
          <div class="parallel-row">
            <xsl:sequence select="$cells"/>
          </div>
        </xsl:if>
      </xsl:for-each>
    </div>
  </xsl:template>

</xsl:stylesheet>
