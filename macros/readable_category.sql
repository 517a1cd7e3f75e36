{% macro readable_category(tag_value) %}
    {#- An OpenStreetMap-style tag value as a readable category: "fast_food" -> "Fast Food". -#}
    array_to_string(
        list_transform(
            string_split(trim(replace({{ tag_value }}, '_', ' ')), ' '),
            lambda word: upper(word[1]) || word[2:]
        ),
        ' '
    )
{% endmacro %}
