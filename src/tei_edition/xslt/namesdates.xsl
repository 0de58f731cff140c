<?xml version="1.0" encoding="UTF-8"?>
<!--
  TEI Guidelines chapter 13, Names, Dates, People, and Places.
  Every persName, placeName, orgName, rs and date in the text gets an HTML id: its xml:id, else
  "n" + its position among those elements in the text (document order, nested ones too).
  Python code computes the same anchors for the registers, so the rule must not change.
-->
<xsl:stylesheet version="3.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tei="http://www.tei-c.org/ns/1.0"
    xmlns:ed="urn:x-tei-edition:xslt"
    xmlns:map="http://www.w3.org/2005/xpath-functions/map"
    exclude-result-prefixes="#all">

  <!--
    Running numbers of the mentions in the text, in document order, computed once per document
    (the same count as xsl:number level="any" from="tei:text" for a text without nested texts,
    at a fraction of the cost; lxml's text.iter() gives the same order). A teiCorpus numbers the mentions of
    all its documents' texts in one run (tei_edition.tei.model.outer_texts).
  -->
  <xsl:variable name="ed:mention-numbers" as="map(xs:string, xs:integer)" select="
      let $mentions := //tei:text[not(ancestor::tei:text)]//(tei:persName | tei:placeName | tei:orgName | tei:rs | tei:date)
      return map:merge(for $i in 1 to count($mentions) return map{generate-id($mentions[$i]): $i})"/>

  <xsl:function name="ed:mention-id" as="xs:string">
    <!-- The anchor of a mention: its xml:id, else n + its running number in the text. -->
    <xsl:param name="el" as="element()"/>
    <xsl:sequence select="if ($el/@xml:id) then string($el/@xml:id) else 'n' || $ed:mention-numbers(generate-id($el))"/>
  </xsl:function>

  <xsl:function name="ed:entity-kind" as="xs:string?">
    <!-- person, place or org for a name (rs and name by @type); nothing for other kinds. -->
    <xsl:param name="el" as="element()"/>
    <xsl:variable name="type" select="lower-case(normalize-space($el/@type))"/>
    <xsl:sequence select="
        if ($el/self::tei:persName) then 'person'
        else if ($el/self::tei:placeName or $el/self::tei:geogName) then 'place'
        else if ($el/self::tei:orgName) then 'org'
        else if ($type = ('person', 'place', 'org')) then $type
        else if ($type = 'organisation' or $type = 'organization') then 'org'
        else ()"/>
  </xsl:function>

  <xsl:function name="ed:register-id" as="xs:string?">
    <!-- The register entry a local pointer names: "#stalin" or "persons.xml#stalin" -> "stalin". -->
    <xsl:param name="pointer" as="xs:string?"/>
    <xsl:sequence select="
        if (starts-with(string($pointer), '#')) then substring($pointer, 2)[. != '']
        else if (contains(string($pointer), '#') and not(matches(string($pointer), '^[A-Za-z][A-Za-z0-9+.\-]*:'))
            and substring-after($pointer, '#') != '')
        then substring-after($pointer, '#') else ()"/>
  </xsl:function>

  <!--
    Where each name leads, resolved by the build (tei_edition.tei.names: @ref, @corresp, @sameAs, @key, prefixDef
    shorthands, the file's own lists before the registers) and given as the parameter `names`: a first line
    "names", then a line "N KIND TARGET" for each name that leads somewhere, N its position among the name elements
    of the file (document order), KIND person, place, org or - (TARGET an entry's id; - when neither the name nor
    the entry says which kind: no link) or url (TARGET a web address).
    Without the parameter (a stylesheet run on its own) a name leads where its @ref says.
  -->
  <xsl:param name="names" as="xs:string" select="''"/>

  <xsl:variable name="ed:name-links" as="map(xs:integer, xs:string+)" select="
      map:merge(for $line in tail(tokenize($names, '\n'))
                return let $f := tokenize($line, ' ') return map{xs:integer($f[1]): ($f[2], $f[3])})"/>

  <xsl:variable name="ed:name-numbers" as="map(xs:string, xs:integer)" select="
      let $names := //(tei:persName | tei:placeName | tei:orgName | tei:rs | tei:name | tei:geogName)
      return map:merge(for $i in 1 to count($names) return map{generate-id($names[$i]): $i})"/>

  <xsl:function name="ed:name-link" as="xs:string*">
    <!-- (kind, target) of a name: as the build resolved it, else by its @ref; nothing when it leads nowhere. -->
    <xsl:param name="el" as="element()"/>
    <xsl:variable name="pointer" select="ed:pointer($el/@ref)"/>
    <xsl:sequence select="
        if ($names != '') then $ed:name-links(($ed:name-numbers(generate-id($el)), 0)[1])
        else if (exists(ed:register-id($pointer))) then ((ed:entity-kind($el), '-')[1], ed:register-id($pointer))
        else if (matches(string($pointer), '^https?://', 'i')) then ('url', $pointer)
        else ()"/>
  </xsl:function>

  <xsl:template match="tei:persName | tei:placeName | tei:orgName | tei:rs | tei:name | tei:geogName">
    <xsl:param name="ed:in-link" as="xs:boolean" tunnel="yes" select="false()"/>
    <xsl:variable name="link" select="ed:name-link(.)"/>
    <xsl:variable name="entry" select="if ($link[1] = 'url') then () else $link[2]"/>
    <xsl:variable name="kind" select="(ed:entity-kind(.), $link[1][. = ('person', 'place', 'org')])[1]"/>
    <xsl:variable name="folder" select="if ($link[1] = 'person') then 'persons/' else if ($link[1] = 'place')
                                         then 'places/' else if ($link[1] = 'org') then 'orgs/' else ()"/>
    <xsl:variable name="href" select="
        if ($ed:print or $ed:in-link) then ()
        else if (exists($entry) and exists($folder)) then $ed:root || $folder || encode-for-uri(ed:id-segment($entry)) || '/'
        else if ($link[1] = 'url') then ed:safe-url($link[2])
        else ()"/>
    <xsl:variable name="counted" select="exists(self::tei:persName | self::tei:placeName | self::tei:orgName | self::tei:rs)
                                         and exists(ancestor::tei:text)"/>
    <xsl:element name="{if (exists($href)) then 'a' else 'span'}">
      <xsl:sequence select="ed:attributes(., ('entity', if (exists($kind)) then 'entity-' || $kind else 'entity-other'))"/>
      <xsl:if test="exists($href)">
        <xsl:attribute name="href" select="$href"/>
        <xsl:if test="ed:is-external($href)">
          <xsl:attribute name="rel" select="'noopener'"/>
        </xsl:if>
      </xsl:if>
      <xsl:if test="exists($entry)">
        <xsl:attribute name="data-ref" select="$entry"/>
      </xsl:if>
      <xsl:if test="@cert and normalize-space(@cert) != 'high'">
        <xsl:attribute name="data-cert" select="normalize-space(@cert)"/>
        <xsl:attribute name="title" select="'identification uncertain'"/>
      </xsl:if>
      <xsl:if test="$counted">
        <xsl:attribute name="id" select="ed:mention-id(.)"/>
      </xsl:if>
      <xsl:apply-templates>
        <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
        <xsl:with-param name="ed:in-link" tunnel="yes" select="$ed:in-link or exists($href)"/>
      </xsl:apply-templates>
    </xsl:element>
  </xsl:template>

  <!-- ===== dates ===== -->

  <xsl:function name="ed:is-html-date" as="xs:boolean">
    <!-- True for a valid HTML datetime of the forms YYYY, YYYY-MM, YYYY-MM-DD. -->
    <xsl:param name="value" as="xs:string?"/>
    <xsl:sequence select="
        if (matches(string($value), '^\d{4}$')) then true()
        else if (matches(string($value), '^\d{4}-\d{2}$')) then ($value || '-01') castable as xs:date
        else if (matches(string($value), '^\d{4}-\d{2}-\d{2}$')) then $value castable as xs:date
        else false()"/>
  </xsl:function>

  <xsl:function name="ed:human-date" as="xs:string">
    <!-- "23 August 1951", "August 1951", "1951"; any other value as written. -->
    <xsl:param name="value" as="xs:string"/>
    <xsl:sequence select="
        if (matches($value, '^\d{4}-\d{2}-\d{2}$') and $value castable as xs:date)
          then format-date(xs:date($value), '[D] [MNn] [Y0001]', 'en', (), ())
        else if (matches($value, '^\d{4}-\d{2}$') and ($value || '-01') castable as xs:date)
          then format-date(xs:date($value || '-01'), '[MNn] [Y0001]', 'en', (), ())
        else $value"/>
  </xsl:function>

  <xsl:function name="ed:date-value" as="xs:string?">
    <!-- A date attribute (or its -iso twin) as a reader reads it, or nothing when it is empty. -->
    <xsl:param name="d" as="element()"/>
    <xsl:param name="name" as="xs:string"/>
    <xsl:variable name="a"
        select="normalize-space(($d/@*[local-name() = $name], $d/@*[local-name() = $name || '-iso'])[1])"/>
    <xsl:sequence select="if ($a = '') then () else ed:human-date($a)"/>
  </xsl:function>

  <xsl:function name="ed:date-title" as="xs:string?">
    <!-- A reader's description of a date's normalised value, with a hint when it is uncertain. -->
    <xsl:param name="d" as="element()"/>
    <xsl:variable name="when" select="ed:date-value($d, 'when')"/>
    <xsl:variable name="from" select="ed:date-value($d, 'from')"/>
    <xsl:variable name="to" select="ed:date-value($d, 'to')"/>
    <xsl:variable name="nb" select="ed:date-value($d, 'notBefore')"/>
    <xsl:variable name="na" select="ed:date-value($d, 'notAfter')"/>
    <xsl:variable name="text" select="
        if (exists($when)) then $when
        else if (exists($from) and exists($to)) then 'from ' || $from || ' to ' || $to
        else if (exists($from)) then 'from ' || $from
        else if (exists($to)) then 'until ' || $to
        else if (exists($nb) and exists($na)) then 'between ' || $nb || ' and ' || $na
        else if (exists($nb)) then 'not before ' || $nb
        else if (exists($na)) then 'not after ' || $na
        else ()"/>
    <xsl:variable name="cert" select="normalize-space($d/@cert)"/>
    <xsl:sequence select="
        if (empty($text)) then (if ($cert != '' and $cert != 'high') then '(uncertain)' else ())
        else if ($cert != '' and $cert != 'high') then $text || ' (uncertain)'
        else $text"/>
  </xsl:function>

  <!-- HTML requires a <time> element to carry a valid datetime (or have one as its text): a range, a vague
       bound or an invalid value is a <span class="date"> with the same data- attributes. -->
  <xsl:template match="tei:date">
    <xsl:variable name="when" select="normalize-space((@when, @when-iso)[1])"/>
    <xsl:variable name="valid" select="ed:is-html-date($when)"/>
    <xsl:element name="{if ($valid) then 'time' else 'span'}">
      <xsl:sequence select="ed:attributes(., 'date')"/>
      <xsl:if test="ancestor::tei:text">
        <xsl:attribute name="id" select="ed:mention-id(.)"/>
      </xsl:if>
      <xsl:if test="$valid">
        <xsl:attribute name="datetime" select="$when"/>
      </xsl:if>
      <xsl:if test="$when != ''">
        <xsl:attribute name="data-when" select="$when"/>
      </xsl:if>
      <xsl:for-each select="@from, @to, @notBefore, @notAfter">
        <xsl:attribute name="data-{replace(local-name(), '([A-Z])', '-$1') => lower-case()}" select="normalize-space(.)"/>
      </xsl:for-each>
      <xsl:if test="@cert">
        <xsl:attribute name="data-cert" select="normalize-space(@cert)"/>
      </xsl:if>
      <xsl:variable name="title" select="ed:date-title(.)"/>
      <xsl:if test="exists($title)">
        <xsl:attribute name="title" select="$title"/>
      </xsl:if>
      <xsl:apply-templates>
        <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
      </xsl:apply-templates>
    </xsl:element>
  </xsl:template>

  <xsl:template match="tei:time">
    <xsl:variable name="when" select="normalize-space(@when)"/>
    <xsl:variable name="valid" select="matches($when, '^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$')
        and (if (string-length($when) = 5) then $when || ':00' else $when) castable as xs:time"/>
    <xsl:element name="{if ($valid) then 'time' else 'span'}">
      <xsl:sequence select="ed:attributes(., 'time')"/>
      <xsl:if test="$valid">
        <xsl:attribute name="datetime" select="$when"/>
      </xsl:if>
      <xsl:apply-templates>
        <xsl:with-param name="ed:inline" tunnel="yes" select="true()"/>
      </xsl:apply-templates>
    </xsl:element>
  </xsl:template>

</xsl:stylesheet>
