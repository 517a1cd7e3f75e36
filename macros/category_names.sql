{% macro category_key(category) %}
    {#- What makes two category names one category: the name lower-cased, accents stripped, and
        everything but letters and digits (any script) removed. "COFFEE SHOP", "Coffee-Shop" and
        "coffee shop" are one category; "Café" and "Cafe" too. -#}
    regexp_replace(lower(strip_accents({{ category }})), '[^\p{L}\p{N}]+', '', 'g')
{% endmacro %}

{% macro category_column_name(category) %}
    {#- The pivot column of a category: "cat_" and its name folded to lower-case ASCII words
        ("Women's Store" -> cat_women_s_store). It depends on the category alone, never on which
        other categories exist. A name whose letters are not all ASCII ("Кафе", "Straße") also gets
        the first 8 hex digits of its key's md5, so two such categories never share a column. -#}
    'cat_' || case
        when regexp_full_match({{ category_key(category) }}, '[a-z0-9]+')
            then trim(regexp_replace(lower(strip_accents({{ category }})), '[^a-z0-9]+', '_', 'g'), '_')
        else concat_ws(
            '_',
            nullif(trim(regexp_replace(lower(strip_accents({{ category }})), '[^a-z0-9]+', '_', 'g'), '_'), ''),
            left(md5({{ category_key(category) }}), 8)
        )
    end
{% endmacro %}

{% macro taxonomy_precedence() %}
    {#- An order-by term: the taxonomy kinds in the order of var taxonomy_kinds. -#}
    list_position({{ var('taxonomy_kinds') }}, kind)
{%- endmacro %}

{% macro category_words(category) %}
    {#- A category name's words: lower-cased, accents stripped, split at anything but letters and
        digits ("Deli / Bodega" -> [deli, bodega]). -#}
    string_split(trim(regexp_replace(lower(strip_accents({{ category }})), '[^\p{L}\p{N}]+', ' ', 'g')), ' ')
{%- endmacro %}
