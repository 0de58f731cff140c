<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI P5 text (front, body, back) -> HTML5 fragment <div class="tei-text">.
  Entry point: imports one module per TEI Guidelines chapter and declares the parameters.
  Later imports take precedence over earlier ones, whatever the priorities: common.xsl (building
  blocks and the fallback rule) comes first so that every specific rule wins over the fallback, and
  textstructure.xsl (with the generic head rule) before core.xsl and figures.xsl (heads of lists,
  tables and figures).
  An edition may replace any module by a file of the same name in its own xslt/ folder.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:import href="common.xsl"/>
  <xsl:import href="textstructure.xsl"/>
  <xsl:import href="core.xsl"/>
  <xsl:import href="namesdates.xsl"/>
  <xsl:import href="transcr.xsl"/>
  <xsl:import href="figures.xsl"/>
  <xsl:import href="apparatus.xsl"/>
  <xsl:import href="parallel.xsl"/>
  <xsl:import href="parts.xsl"/>
  <xsl:import href="facsimile.xsl"/>

  <xsl:output method="html" html-version="5" indent="no" encoding="UTF-8" include-content-type="no"/>

  <!-- Element-only content in TEI: whitespace between children carries no meaning. -->
  <xsl:strip-space elements="tei:TEI tei:text tei:group tei:front tei:body tei:back tei:div tei:div1 tei:div2
      tei:div3 tei:div4 tei:div5 tei:div6 tei:div7 tei:list tei:listBibl tei:table tei:row tei:lg tei:figure
      tei:choice tei:subst tei:app tei:floatingText tei:sp"/>

  <!-- Relative path from the page to the site root, e.g. "../../". -->
  <xsl:param name="root" as="xs:string" select="''"/>
  <!-- "screen" (end-notes, links) or "print" (footnotes inline, no entity links). -->
  <xsl:param name="media" as="xs:string" select="'screen'"/>
  <!-- The document's xml:id. -->
  <xsl:param name="doc-id" as="xs:string" select="''"/>

  <xsl:variable name="ed:root" as="xs:string" select="ed:html-root($root)"/>
  <xsl:variable name="ed:print" as="xs:boolean" select="normalize-space($media) = 'print'"/>

  <xsl:template match="/">
    <xsl:variable name="text" select="(//tei:text)[1]"/>
    <xsl:choose>
      <xsl:when test="exists($ed:parts)">
        <xsl:call-template name="ed:volume"/>
      </xsl:when>
      <xsl:when test="exists($text)">
        <xsl:apply-templates select="$text"/>
      </xsl:when>
      <xsl:when test="exists(/tei:TEI/tei:sourceDoc)">
        <xsl:apply-templates select="/tei:TEI/tei:sourceDoc"/>
      </xsl:when>
      <xsl:otherwise>
        <div class="tei-text"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
