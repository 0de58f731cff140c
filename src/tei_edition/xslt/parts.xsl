<?xml version="1.0" encoding="UTF-8"?>
<!--
  Files that hold several documents: a volume whose body holds div[@type='document'] (FRUS), a teiCorpus of TEI
  documents, or whatever the edition's [sources] split selects. The parameter $split is that XPath ('' when the
  file is one document); the outermost elements it selects are the parts, when there are at least two.

  One transformation renders the whole file, so that notes, page breaks and names are numbered once for the volume:
  first the volume's own page (its front and back matter, each part replaced by a link to its page), then each
  part, every one after a comment "ed:part ID" that the build splits the output on. A part's id is the volume's id,
  a hyphen, and the part's xml:id (else its number): tei_edition.tei.parts.part_id follows the same rule.

  A pointer "#x" leads to the page that holds x: the same page when x is there, else the other part's (or the
  volume's) page with #x.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <!-- The XPath that selects the documents of a file ('' : the file is one document). -->
  <xsl:param name="split" as="xs:string" select="''"/>

  <xsl:key name="ed:by-id" match="*[@xml:id]" use="string(@xml:id)"/>

  <xsl:variable name="ed:parts" as="element()*">
    <xsl:if test="normalize-space($split) != ''">
      <xsl:variable name="found" as="element()*">
        <xsl:evaluate xpath="$split" context-item="/" as="element()*"/>
      </xsl:variable>
      <xsl:variable name="marked" select="map:merge($found ! map:entry(generate-id(.), true()))"/>
      <xsl:variable name="outermost" select="$found[not(ancestor::*[map:contains($marked, generate-id(.))])]"/>
      <xsl:sequence select="if (count($outermost) ge 2) then $outermost else ()"/>
    </xsl:if>
  </xsl:variable>

  <!-- generate-id() of each part -> the part's document id. -->
  <xsl:variable name="ed:part-ids" as="map(xs:string, xs:string)" select="map:merge(
      for $i in 1 to count($ed:parts)
      return map:entry(generate-id($ed:parts[$i]), $doc-id || '-' || ($ed:parts[$i]/@xml:id, string($i))[1]))"/>

  <xsl:function name="ed:is-part" as="xs:boolean">
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="exists($ed:parts) and map:contains($ed:part-ids, generate-id($el))"/>
  </xsl:function>

  <xsl:function name="ed:page-of" as="xs:string">
    <!-- The id of the page an element is shown on: its part's, else the volume's (the document's). -->
    <xsl:param name="el" as="node()"/>
    <xsl:sequence select="if (empty($ed:parts)) then $doc-id
                          else ($el/ancestor-or-self::*[ed:is-part(.)][1] ! $ed:part-ids(generate-id(.)), $doc-id)[1]"/>
  </xsl:function>

  <xsl:function name="ed:local-link" as="xs:string?">
    <!-- A pointer "#x" followed from $from: "#x" when x is on the same page, else the page that holds it. -->
    <xsl:param name="pointer" as="xs:string?"/>
    <xsl:param name="from" as="node()"/>
    <xsl:variable name="target" select="if (starts-with(string($pointer), '#') and exists($ed:parts))
                                        then key('ed:by-id', substring($pointer, 2), root($from))[1] else ()"/>
    <xsl:variable name="page" select="if (exists($target)) then ed:page-of($target) else ()"/>
    <xsl:sequence select="if (empty($page) or $page = ed:page-of($from)) then $pointer
                          else $ed:root || 'documents/' || ed:id-segment($page) || '/' || $pointer"/>
  </xsl:function>

  <xsl:function name="ed:part-title" as="xs:string">
    <!-- A part's title (as tei_edition.tei.parts.part_title): its own header's title, else its head, else the
         beginning of its first paragraph (a head "[Untitled]" says there is none), else "Document N". -->
    <xsl:param name="part" as="element()"/>
    <xsl:variable name="titles" select="$part/tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title"/>
    <!-- as tei_edition.tei.text.own_title: not a series' or journal's title; the main one first -->
    <xsl:variable name="own" select="
        let $t := if (exists($titles[not(@level = ('s', 'j'))])) then $titles[not(@level = ('s', 'j'))] else $titles,
            $m := if (exists($t[not(@type) or @type = 'main'])) then $t[not(@type) or @type = 'main'] else $t
        return $m[1]"/>
    <xsl:variable name="head" select="($own, $part/tei:head)[1]"/>
    <xsl:variable name="title" select="ed:plain-text($head)"/>
    <xsl:variable name="first" select="($part//tei:p ! ed:plain-text(.))[. != ''][1]"/>
    <xsl:sequence select="
        if ($title != '' and not(matches($title, '^\[?\s*untitled\s*\]?$', 'i'))) then $title
        else if (empty($first)) then 'Document ' || (index-of($ed:parts ! generate-id(.), generate-id($part)))[1]
        else if (string-length($first) le 80) then $first
        else replace(substring($first, 1, 80), '\s+\S*$', '') || '…'"/>
  </xsl:function>

  <xsl:function name="ed:plain-text" as="xs:string">
    <!-- The reading text of an element, without notes, white space normalised. -->
    <xsl:param name="el" as="element()?"/>
    <xsl:sequence select="normalize-space(string-join($el//text()[not(ancestor::tei:note)]
                          [not(ancestor::tei:sic[parent::tei:choice] or ancestor::tei:orig[parent::tei:choice]
                               or ancestor::tei:abbr[parent::tei:choice])], ''))"/>
  </xsl:function>

  <xsl:template name="ed:volume">
    <xsl:variable name="text" select="/tei:TEI/tei:text"/>
    <xsl:choose>
      <xsl:when test="exists($text)">
        <xsl:apply-templates select="$text"/>
      </xsl:when>
      <xsl:otherwise>
        <!-- A teiCorpus: its page lists its documents. -->
        <div class="tei-text" data-doc="{$doc-id}">
          <ol class="parts">
            <xsl:for-each select="$ed:parts">
              <li><xsl:call-template name="ed:part-link"/></li>
            </xsl:for-each>
          </ol>
        </div>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:for-each select="$ed:parts">
      <xsl:comment select="'ed:part ' || $ed:part-ids(generate-id(.))"/>
      <xsl:apply-templates select="." mode="ed:part"/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="ed:part-link">
    <a class="part-link" href="{$ed:root}documents/{ed:id-segment($ed:part-ids(generate-id(.)))}/">
      <xsl:value-of select="ed:part-title(.)"/>
    </a>
  </xsl:template>

  <!-- In the volume's page, a part is a link to its own page. -->
  <xsl:template match="*[ed:is-part(.)]" priority="20">
    <xsl:param name="ed:part" as="element()?" tunnel="yes" select="()"/>
    <xsl:choose>
      <xsl:when test=". is $ed:part">
        <xsl:next-match/>
      </xsl:when>
      <xsl:otherwise>
        <p class="part-entry"><xsl:call-template name="ed:part-link"/></p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A part's own page: the part as the document's text, with the notes that stand in it. -->
  <xsl:template match="*" mode="ed:part">
    <xsl:variable name="lang" select="ancestor-or-self::*[@xml:lang][1]/@xml:lang"/>
    <xsl:variable name="content" select="if (self::tei:TEI) then tei:text else ."/>
    <div class="tei-text" data-doc="{$ed:part-ids(generate-id(.))}">
      <xsl:if test="$lang">
        <xsl:attribute name="lang" select="$lang"/>
      </xsl:if>
      <xsl:call-template name="ed:signs-key">
        <xsl:with-param name="scope" select="$content"/>
      </xsl:call-template>
      <div class="body">
        <xsl:if test="@xml:id">
          <span id="{@xml:id}" class="anchor"/>
        </xsl:if>
        <xsl:apply-templates select="$content/node()">
          <xsl:with-param name="ed:part" tunnel="yes" select="."/>
        </xsl:apply-templates>
      </div>
      <xsl:call-template name="ed:endnotes">
        <xsl:with-param name="notes" select="$content//tei:note[not(ed:is-inline-note(.))]"/>
      </xsl:call-template>
    </div>
  </xsl:template>

</xsl:stylesheet>
