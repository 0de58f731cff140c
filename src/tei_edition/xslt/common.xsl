<?xml version="1.0" encoding="UTF-8"?>
<!--
  Building blocks shared by every module: safe URLs, classes, language, the
  block/inline/link constructors, and the fallback rule for any element
  without a rule of its own. Imported first, so every chapter module wins over it.

  Two tunnel parameters travel down the tree:
    ed:inline   true inside HTML elements that accept phrasing content only (p, h2, span...):
                block constructs then become <span class="... block"> so the HTML stays valid.
    ed:in-link  true inside <a>: nested links become spans (HTML forbids <a> in <a>).
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    exclude-result-prefixes="#all">

  <!-- TEI elements that make their parent a block when they are among its children. -->
  <xsl:variable name="ed:block-names" as="xs:string*" select="
      ('p', 'ab', 'div', 'div1', 'div2', 'div3', 'div4', 'div5', 'div6', 'div7', 'list', 'listBibl',
       'listPerson', 'listPlace', 'listOrg', 'table', 'lg', 'l', 'figure', 'floatingText', 'sp',
       'opener', 'closer', 'postscript', 'trailer', 'epigraph', 'argument', 'head', 'byline', 'dateline',
       'signed', 'salute', 'docTitle', 'titlePage', 'castList', 'stage', 'speaker')"/>

  <!-- HTML elements whose content model is phrasing only. -->
  <xsl:variable name="ed:phrasing-elements" as="xs:string*"
      select="('p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'dt', 'span', 'a', 'q', 'em', 'strong', 'sup',
               'sub', 'cite', 'abbr', 'time', 'data', 'del', 'ins', 'i', 'b', 'small', 'dfn')"/>

  <!-- Whitespace, controls and invisible format characters a browser may drop from a URL. -->
  <xsl:variable name="ed:url-noise" as="xs:string" select="'[\s\p{Cc}\p{Cf}\p{Z}]'"/>

  <xsl:function name="ed:safe-url" as="xs:string?">
    <!-- The URL when its scheme is http, https or mailto, or when it has none; else nothing. -->
    <xsl:param name="url" as="xs:string?"/>
    <xsl:variable name="probe" select="lower-case(replace(string($url), $ed:url-noise, ''))"/>
    <xsl:variable name="clean" select="replace(replace(string($url), '\p{Cc}', ''), '^\s+|\s+$', '')"/>
    <xsl:sequence select="
        if ($probe = '') then ()
        else if (matches($probe, '^[a-z][a-z0-9+.\-]*:'))
          then (if (substring-before($probe, ':') = ('http', 'https', 'mailto')) then $clean else ())
        else $clean"/>
  </xsl:function>

  <xsl:function name="ed:pointer" as="xs:string?">
    <!-- The first safe pointer of a TEI pointer list (@target, @ref, @url, @facs). -->
    <xsl:param name="value" as="xs:string?"/>
    <!-- A same-document pointer ("#stalin"), by far the most common, needs no scheme check. -->
    <xsl:sequence select="
        if (starts-with(string($value), '#')) then tokenize(normalize-space($value), ' ')[1]
        else if (empty(ed:safe-url($value))) then ()
        else ed:safe-url(tokenize(normalize-space($value), ' ')[1])"/>
  </xsl:function>

  <xsl:function name="ed:is-external" as="xs:boolean">
    <!-- True for a URL that points to another server (http, https, protocol-relative). -->
    <xsl:param name="url" as="xs:string?"/>
    <xsl:sequence select="matches(lower-case(string($url)), '^(https?:)?//')"/>
  </xsl:function>

  <xsl:function name="ed:token" as="xs:string">
    <!-- A string made safe for an HTML id or class token. -->
    <xsl:param name="value" as="xs:string?"/>
    <xsl:variable name="t" select="replace(normalize-space($value), '[^A-Za-z0-9_.\-]+', '-')"/>
    <xsl:sequence select="if ($t = '') then 'x' else $t"/>
  </xsl:function>

  <xsl:function name="ed:prefixed-classes" as="xs:string*">
    <!-- prefix-TOKEN for each whitespace-separated token made only of [A-Za-z0-9_-]. -->
    <xsl:param name="prefix" as="xs:string"/>
    <xsl:param name="value" as="xs:string?"/>
    <xsl:sequence select="
        for $t in tokenize(normalize-space($value), ' ')[matches(., '^[A-Za-z0-9_\-]+$')]
        return $prefix || '-' || $t"/>
  </xsl:function>

  <xsl:function name="ed:rend-tokens" as="xs:string*">
    <!-- The lower-cased tokens of @rend. -->
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="tokenize(lower-case(normalize-space($el/@rend)), ' ')"/>
  </xsl:function>

  <xsl:function name="ed:is-inline-note" as="xs:boolean">
    <!-- A note the source prints in the running text: @place="inline" (TEI's suggested value) or @rend="inline". -->
    <xsl:param name="note" as="element()"/>
    <xsl:sequence select="$note/@place = 'inline' or ed:rend-tokens($note) = 'inline'"/>
  </xsl:function>

  <xsl:function name="ed:attributes" as="attribute()*">
    <!-- The attributes every rendered element carries: id from xml:id, class (with rend-*), lang. -->
    <xsl:param name="el" as="element()"/>
    <xsl:param name="classes" as="xs:string*"/>
    <xsl:if test="$el/@xml:id">
      <xsl:attribute name="id" select="$el/@xml:id"/>
    </xsl:if>
    <xsl:variable name="all" select="distinct-values(($classes,
        if ($el/@rend) then ed:prefixed-classes('rend', $el/@rend) else ())[. != ''])"/>
    <xsl:if test="exists($all)">
      <xsl:attribute name="class" select="string-join($all, ' ')"/>
    </xsl:if>
    <xsl:if test="$el/@xml:lang">
      <xsl:attribute name="lang" select="$el/@xml:lang"/>
    </xsl:if>
  </xsl:function>

  <xsl:function name="ed:has-block-children" as="xs:boolean">
    <!-- True when an element holds block-level TEI children (paragraphs, lists, tables...). -->
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="exists($el/*[local-name() = $ed:block-names]) or exists($el/tei:quote[tei:p | tei:lg | tei:list])"/>
  </xsl:function>

  <!--
    HTML lists and tables admit only their own children (li, tr, td): any other TEI child
    between items, rows or cells (pb, note, milestone...) is rendered inside the next one,
    or inside the last one when none follows.
  -->
  <xsl:function name="ed:strays-before" as="element()*">
    <!-- The siblings before $item, up to the previous one of $kinds, that are neither $kinds nor $skip. -->
    <xsl:param name="item" as="element()"/>
    <xsl:param name="kinds" as="xs:string*"/>
    <xsl:param name="skip" as="xs:string*"/>
    <xsl:sequence select="$item/preceding-sibling::*[not(local-name() = ($kinds, $skip))]
                          [following-sibling::*[local-name() = $kinds][1] is $item]"/>
  </xsl:function>

  <xsl:function name="ed:strays-after" as="element()*">
    <!-- When $item is the last of $kinds: the siblings after it that are neither $kinds nor $skip. -->
    <xsl:param name="item" as="element()"/>
    <xsl:param name="kinds" as="xs:string*"/>
    <xsl:param name="skip" as="xs:string*"/>
    <xsl:sequence select="if ($item/following-sibling::*[local-name() = $kinds]) then ()
                          else $item/following-sibling::*[not(local-name() = ($kinds, $skip))]"/>
  </xsl:function>

  <!--
    The output folder name of an id, the same mapping as tei_edition.output.paths.id_segment (tested to
    agree): a plain ASCII id ([A-Za-z0-9_] then [A-Za-z0-9._-], not ending in '.', up to 100 characters) is its
    own name; any other id becomes its ASCII letters and digits + '~' + 12 hex digits of a hash of the whole id.
    An xml:id can never contain '~', so a mapped name never equals a plain one.
  -->
  <xsl:function name="ed:id-segment" as="xs:string">
    <xsl:param name="id" as="xs:string"/>
    <xsl:sequence select="
        if (matches($id, '^[A-Za-z0-9_][A-Za-z0-9._\-]{0,99}$') and not(ends-with($id, '.'))) then $id
        else (substring(replace(replace($id, '[^A-Za-z0-9._\-]+', '-'), '^[.\-]+|[.\-]+$', ''), 1, 60)[. != ''], 'id')[1]
             || '~' || ed:id-hash($id)"/>
  </xsl:function>

  <xsl:function name="ed:id-hash" as="xs:string">
    <!-- A polynomial hash of the code points modulo 2^61-1, its low 48 bits as 12 hex digits. -->
    <xsl:param name="id" as="xs:string"/>
    <xsl:variable name="h" as="xs:integer" select="fold-left(string-to-codepoints($id), 7,
        function($h as xs:integer, $c as xs:integer) as xs:integer { ($h * 1000003 + $c) mod 2305843009213693951 })
        mod 281474976710656"/>
    <xsl:sequence select="string-join(
        for $p in (17592186044416, 1099511627776, 68719476736, 4294967296, 268435456, 16777216,
                   1048576, 65536, 4096, 256, 16, 1)
        return substring('0123456789abcdef', ($h idiv $p) mod 16 + 1, 1))"/>
  </xsl:function>

  <xsl:function name="ed:html-root" as="xs:string">
    <!-- The root parameter with a trailing slash (or empty). -->
    <xsl:param name="root" as="xs:string?"/>
    <xsl:sequence select="if (string($root) = '' or ends-with($root, '/')) then string($root) else $root || '/'"/>
  </xsl:function>

  <!-- Block constructor: element (div, p, section, ol...) or <span class="... block"> in phrasing context. -->
  <xsl:template name="ed:block">
    <xsl:param name="element" as="xs:string" select="'div'"/>
    <xsl:param name="class" as="xs:string*" select="()"/>
    <xsl:param name="attributes" as="attribute()*" select="()"/>
    <xsl:param name="before" as="item()*" select="()"/>
    <xsl:param name="after" as="item()*" select="()"/>
    <xsl:param name="children" as="node()*" select="node()"/>
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="html" select="if ($ed:inline) then 'span' else $element"/>
    <xsl:element name="{$html}">
      <xsl:sequence select="ed:attributes(., ($class, if ($ed:inline) then (if ($element = 'div') then () else $element, 'block') else ()))"/>
      <xsl:sequence select="$attributes"/>
      <xsl:sequence select="$before"/>
      <xsl:apply-templates select="$children">
        <xsl:with-param name="ed:inline" tunnel="yes" select="$html = $ed:phrasing-elements"/>
      </xsl:apply-templates>
      <xsl:sequence select="$after"/>
    </xsl:element>
  </xsl:template>

  <!-- Inline constructor: a phrasing element (span, em, q...) whose content is phrasing. -->
  <xsl:template name="ed:inline">
    <xsl:param name="element" as="xs:string" select="'span'"/>
    <xsl:param name="class" as="xs:string*" select="()"/>
    <xsl:param name="attributes" as="attribute()*" select="()"/>
    <xsl:param name="before" as="item()*" select="()"/>
    <xsl:param name="after" as="item()*" select="()"/>
    <xsl:param name="children" as="node()*" select="node()"/>
    <xsl:element name="{$element}">
      <xsl:sequence select="ed:attributes(., $class)"/>
      <xsl:sequence select="$attributes"/>
      <xsl:sequence select="$before"/>
      <xsl:apply-templates select="$children">
        <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
      </xsl:apply-templates>
      <xsl:sequence select="$after"/>
    </xsl:element>
  </xsl:template>

  <!-- Link constructor: <a href> for a safe href outside any other link, else a span. -->
  <xsl:template name="ed:link">
    <xsl:param name="href" as="xs:string?" select="()"/>
    <xsl:param name="class" as="xs:string*" select="()"/>
    <xsl:param name="attributes" as="attribute()*" select="()"/>
    <xsl:param name="children" as="node()*" select="node()"/>
    <xsl:param name="text" as="xs:string?" select="()"/>
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="linked" select="exists($href) and not($ed:in-link)"/>
    <xsl:element name="{if ($linked) then 'a' else 'span'}">
      <xsl:sequence select="ed:attributes(., $class)"/>
      <xsl:if test="$linked">
        <xsl:attribute name="href" select="$href"/>
        <xsl:if test="ed:is-external($href)">
          <xsl:attribute name="rel" select="'noopener'"/>
        </xsl:if>
      </xsl:if>
      <xsl:sequence select="$attributes"/>
      <xsl:choose>
        <xsl:when test="exists($text)">
          <xsl:value-of select="$text"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="$children">
            <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
            <xsl:with-param name="ed:in-link" tunnel="yes" select="$linked or $ed:in-link"/>
          </xsl:apply-templates>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:element>
  </xsl:template>

  <!-- Fallback: any element without a rule keeps its content, wrapped and classed tei-NAME. -->
  <xsl:template match="*" priority="-10">
    <xsl:param name="ed:inline" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:choose>
      <xsl:when test="not($ed:inline) and (ed:has-block-children(.) or local-name() = $ed:block-names)">
        <xsl:call-template name="ed:block">
          <xsl:with-param name="class" select="'tei-' || local-name()"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="ed:inline">
          <xsl:with-param name="class" select="'tei-' || local-name()"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Comments and processing instructions in the source are not part of the text. -->
  <xsl:template match="comment() | processing-instruction()" priority="-10"/>

</xsl:stylesheet>
