<?xml version="1.0" encoding="UTF-8"?>
<!-- TEI Guidelines chapter 4, Default Text Structure: text, front/body/back, div, head, letters' parts. -->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <xsl:variable name="ed:div-names" as="xs:string*"
      select="('div', 'div1', 'div2', 'div3', 'div4', 'div5', 'div6', 'div7')"/>

  <!-- The outermost text: the fragment's single root element, followed by the end-notes on screen. -->
  <xsl:template match="tei:text[not(ancestor::tei:text)]">
    <xsl:variable name="lang" select="ancestor-or-self::*[@xml:lang][1]/@xml:lang"/>
    <div class="tei-text">
      <xsl:if test="$lang">
        <xsl:attribute name="lang" select="$lang"/>
      </xsl:if>
      <xsl:if test="$doc-id != ''">
        <xsl:attribute name="data-doc" select="$doc-id"/>
      </xsl:if>
      <xsl:call-template name="ed:signs-key">
        <xsl:with-param name="scope" select="."/>
      </xsl:call-template>
      <xsl:apply-templates/>
      <xsl:call-template name="ed:endnotes">
        <xsl:with-param name="notes" select=".//tei:note[not(ed:is-inline-note(.))][not(ancestor::*[ed:is-part(.)])]"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <!--
    A transcription kept as the source's pages rather than as a text (TEI's sourceDoc, chapter 11.2.2: surfaces,
    zones on them, lines written in them), for a document that has no <text>: each surface in turn, labelled by its
    @n or its number, its zones and lines in the order written, one line to a line.
  -->
  <xsl:template match="tei:TEI/tei:sourceDoc">
    <xsl:variable name="lang" select="ancestor-or-self::*[@xml:lang][1]/@xml:lang"/>
    <div class="tei-text">
      <xsl:if test="$lang">
        <xsl:attribute name="lang" select="$lang"/>
      </xsl:if>
      <xsl:if test="$doc-id != ''">
        <xsl:attribute name="data-doc" select="$doc-id"/>
      </xsl:if>
      <xsl:call-template name="ed:signs-key">
        <xsl:with-param name="scope" select="."/>
      </xsl:call-template>
      <div class="body source-doc">
        <xsl:apply-templates/>
      </div>
      <xsl:call-template name="ed:endnotes">
        <xsl:with-param name="notes" select=".//tei:note[not(ed:is-inline-note(.))]"/>
      </xsl:call-template>
    </div>
  </xsl:template>

  <xsl:template match="tei:TEI/tei:sourceDoc//tei:surface | tei:TEI/tei:sourceDoc//tei:surfaceGrp">
    <section>
      <xsl:sequence select="ed:attributes(., local-name())"/>
      <xsl:if test="self::tei:surface and not(ancestor::tei:surface)">
        <p class="textpart-label">
          <xsl:value-of select="if (normalize-space(@n) != '') then normalize-space(@n)
                                else 'Surface ' || (count(preceding::tei:surface[ancestor::tei:sourceDoc]) + 1)"/>
        </p>
      </xsl:if>
      <xsl:apply-templates select="node() except (tei:graphic | tei:desc)"/>
    </section>
  </xsl:template>

  <xsl:template match="tei:TEI/tei:sourceDoc//tei:zone">
    <div>
      <xsl:sequence select="ed:attributes(., ('zone', ed:prefixed-classes('type', @type)))"/>
      <xsl:apply-templates select="node() except (tei:graphic | tei:desc)"/>
    </div>
  </xsl:template>

  <xsl:template match="tei:TEI/tei:sourceDoc//tei:line">
    <span>
      <xsl:sequence select="ed:attributes(., 'line')"/>
      <xsl:apply-templates/>
    </span>
    <br/>
  </xsl:template>

  <!-- A text inside a group or a floatingText. -->
  <xsl:template match="tei:text">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'text', ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:front | tei:body | tei:back | tei:group">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="local-name()"/>
      <xsl:with-param name="before" as="item()*">
        <!-- A body of empty divisions and paragraphs only (a papyrus described but not yet transcribed, its edition
             an empty div): the reader is told, rather than shown an empty page. -->
        <xsl:if test="self::tei:body and empty(.//text()[normalize-space()])
                      and empty(.//*[not(self::tei:div or self::tei:ab or self::tei:p or self::tei:lg or self::tei:l)])">
          <p class="no-transcription">The source gives no transcription of this document, only its description.</p>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:div | tei:div1 | tei:div2 | tei:div3 | tei:div4 | tei:div5 | tei:div6 | tei:div7">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'section'"/>
      <xsl:with-param name="class" select="'div', ed:prefixed-classes('type', @type)"/>
      <xsl:with-param name="before" as="item()*">
        <!-- A part of an inscribed or written object that has no heading (EpiDoc's textpart: a face, a column, a
             fragment, recto and verso) is labelled with its @subtype and @n: "Column 2", "r,1". -->
        <xsl:if test="@type = 'textpart' and normalize-space(@n) != '' and empty(tei:head)">
          <xsl:variable name="kind" select="normalize-space(@subtype)"/>
          <p class="textpart-label">
            <xsl:value-of select="(if ($kind != '' and matches($kind, '^\p{L}+$'))
                                   then upper-case(substring($kind, 1, 1)) || substring($kind, 2) || ' ' else '')
                                  || normalize-space(@n)"/>
          </p>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- Headings: h2 for a top-level division, one level deeper per nesting (h1 is the page title). -->
  <xsl:template match="tei:head[parent::*[local-name() = $ed:div-names] or parent::tei:body or parent::tei:front
                       or parent::tei:back]">
    <xsl:variable name="depth" select="count(ancestor::*[local-name() = $ed:div-names])"/>
    <xsl:call-template name="ed:block">
      <xsl:with-param name="element" select="'h' || min((max(($depth, 1)) + 1, 6))"/>
      <xsl:with-param name="class" select="'head', ed:prefixed-classes('type', @type)"/>
      <xsl:with-param name="attributes" as="attribute()*">
        <xsl:variable name="anchor" select="ed:head-anchor(.)"/>
        <xsl:if test="exists($anchor)">
          <xsl:attribute name="id" select="$anchor"/>
        </xsl:if>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!--
    A division's heading on screen is an anchor, so that a chapter can be linked and search can lead to the chapter
    that holds a hit (Pagefind makes a sub-result of each heading with an id): its own xml:id, else "sec-" and the
    heading's path from the text (each element's place among its siblings: "sec-2.3.1", unique in the file), or
    "section-..." when the source has that id itself.
  -->
  <xsl:function name="ed:head-anchor" as="xs:string?">
    <xsl:param name="head" as="element()"/>
    <xsl:if test="not($ed:print or $head/@xml:id) and exists($head/ancestor::*[local-name() = $ed:div-names])">
      <xsl:variable name="steps" select="$head/ancestor-or-self::*[ancestor::tei:text]"/>
      <xsl:variable name="path" select="string-join(for $e in $steps return string(count($e/preceding-sibling::*) + 1), '.')"/>
      <xsl:sequence select="if (exists(key('ed:by-id', 'sec-' || $path, root($head)))) then 'section-' || $path
                            else 'sec-' || $path"/>
    </xsl:if>
  </xsl:function>

  <!-- Any other head (of a note, quote, floatingText...): a block of its own. -->
  <xsl:template match="tei:head">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'head'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:opener | tei:closer | tei:postscript | tei:trailer | tei:argument | tei:epigraph
                       | tei:salute | tei:signed | tei:dateline | tei:byline | tei:docAuthor | tei:docDate
                       | tei:docTitle | tei:titlePage | tei:titlePart">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="lower-case(local-name()), ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="tei:floatingText">
    <xsl:call-template name="ed:block">
      <xsl:with-param name="class" select="'floatingtext', ed:prefixed-classes('type', @type)"/>
    </xsl:call-template>
  </xsl:template>

</xsl:stylesheet>
