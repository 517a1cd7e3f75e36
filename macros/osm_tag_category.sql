{% macro osm_tag_category(tag_value, tag_key=none) %}
    {#- An OpenStreetMap tag as a category: the seed osm_tag_categories' name for it ("cafe" -> "Café";
        by key and value, or by value alone where the key is not known, the first of var osm_tag_keys
        winning), else the value made readable ("fast_food" -> "Fast Food"). -#}
    coalesce(
        (
            select arg_min(named.category, list_position({{ var('osm_tag_keys') }}, named.tag_key))
            from {{ ref('osm_tag_categories') }} as named
            where
                named.tag_value = {{ tag_value }}
                {%- if tag_key %} and named.tag_key = {{ tag_key }}{% endif %}
        ),
        {{ readable_category(tag_value) }}
    )
{% endmacro %}
