<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI Guidelines chapter 14, Tables, Formulae, Graphics: figure, graphic, figDesc.
  Images from the edition (relative @url) are embedded; images on other servers are never
  loaded by the page: the figure keeps its description and links to the image at its source.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:template match="tei:figure">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'figure'"/>
      <xsl:with-param name="class" select="'figure', ed:prefixed-classes('type', @type)"/>
      <xsl:with-param name="children" select="node() except (tei:head | tei:figDesc)"/>
      <xsl:with-param name="after" as="item()*">
        <xsl:if test="tei:head | tei:figDesc">
          <xsl:element name="{if ($ed:inline) then 'span' else 'figcaption'}">
            <xsl:if test="$ed:inline">
              <xsl:attribute name="class" select="'figcaption'"/>
            </xsl:if>
            <xsl:apply-templates select="tei:head | tei:figDesc" mode="ed:caption">
              <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
            </xsl:apply-templates>
          </xsl:element>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:head | tei:figDesc" mode="ed:caption">
    <xsl:if test="preceding-sibling::tei:head | preceding-sibling::tei:figDesc">
      <xsl:text> </xsl:text>
    </xsl:if>
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="if (self::tei:head) then 'figure-head' else 'figdesc'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:graphic">
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="url" select="ed:pointer(@url)"/>
    <xsl:variable name="alt" select="normalize-space(string-join((tei:desc, ../tei:figDesc)[1]//text(), ''))"/>
    <xsl:choose>
      <xsl:when test="exists($url) and not(ed:is-external($url))">
        <img src="{$ed:root}{replace($url, '^/+', '')}" alt="{$alt}">
          <xsl:sequence select="ed:attributes(., 'graphic')"/>
        </img>
      </xsl:when>
      <xsl:when test="exists($url)">
        <span>
          <xsl:sequence select="ed:attributes(., ('graphic', 'graphic-external'))"/>
          <xsl:if test="$alt != '' and not(parent::tei:figure)">
            <xsl:value-of select="$alt"/>
            <xsl:text> </xsl:text>
          </xsl:if>
          <xsl:choose>
            <xsl:when test="$ed:in-link">
              <span class="external">View the image at its source</span>
            </xsl:when>
            <xsl:otherwise>
              <a class="external" href="{$url}" rel="noopener">View the image at its source</a>
            </xsl:otherwise>
          </xsl:choose>
        </span>
      </xsl:when>
      <xsl:otherwise>
        <span>
          <xsl:sequence select="ed:attributes(., ('graphic', 'graphic-missing'))"/>
          <xsl:value-of select="if ($alt != '' and not(parent::tei:figure)) then '[Image: ' || $alt || ']' else '[Image]'"/>
        </span>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A description outside a figure (a figure's own is in its caption). -->
  <xsl:template match="tei:figDesc">
    <xsl:call-template name="ed:inline">
      <xsl:with-param name="class" select="'figdesc'"/>
    </xsl:call-template>
  </xsl:template>

</xsl:stylesheet>
