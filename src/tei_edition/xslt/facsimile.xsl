<?xml version="1.0" encoding="UTF-8"?>
<!--
  Facsimiles (TEI Guidelines chapter 11.1, "Digital Facsimiles"): an element of the text that points to a page
  image, or to a zone on one, with @facs (pb, lb, l, w, seg, div...) carries the pointer as data-facs, for the
  page's image viewer (assets/facsimile.js, which the document page loads when the document has page images).
  Only pointers to an id ('#p1'), to an image file ('scans/p1.jpg') or to a URL (a IIIF canvas) are kept: a bare
  token such as facs="0002" names an image in another system. The element renders as it would without @facs;
  print ignores @facs.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:function name="ed:facs-pointers" as="xs:string*">
    <!-- The @facs tokens the viewer can follow: pointers to an id, URLs, and image files by their ending. -->
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="tokenize(normalize-space($el/@facs), ' ')
        [starts-with(., '#') or matches(., '^https?://')
         or matches(., '\.(jpe?g|png|tiff?|webp|gif|bmp|jp2)([?#].*)?$', 'i')]"/>
  </xsl:function>

  <xsl:template match="tei:text//*[@facs]">
    <xsl:variable name="pointers" select="ed:facs-pointers(.)"/>
    <xsl:choose>
      <xsl:when test="$ed:print or empty($pointers)">
        <xsl:next-match/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="out" as="node()*">
          <xsl:next-match/>
        </xsl:variable>
        <!-- The first element the rule made that is not an anchor for a link (ed:source-anchor) carries it. -->
        <xsl:variable name="carrier" select="$out[self::*][not(tokenize(@class, ' ') = 'anchor')][1]"/>
        <xsl:choose>
          <xsl:when test="empty($carrier)">
            <span class="facs" data-facs="{string-join($pointers, ' ')}">
              <xsl:sequence select="$out"/>
            </span>
          </xsl:when>
          <xsl:otherwise>
            <xsl:for-each select="$out">
              <xsl:choose>
                <xsl:when test=". is $carrier">
                  <xsl:copy>
                    <xsl:sequence select="@* except @data-facs"/>
                    <xsl:attribute name="data-facs" select="string-join($pointers, ' ')"/>
                    <xsl:sequence select="node()"/>
                  </xsl:copy>
                </xsl:when>
                <xsl:otherwise>
                  <xsl:sequence select="."/>
                </xsl:otherwise>
              </xsl:choose>
            </xsl:for-each>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
