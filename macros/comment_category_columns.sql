{% macro comment_category_columns(categories) %}
    {#- A post-hook: describe each category column of a pivot (one column per category, so they
        cannot be listed in a yml file) with a DuckDB comment, which dbt docs shows. -#}
    {%- if execute -%}
        {%- set rows = run_query("select column_name, category, venue_count, area_count from " ~ categories) -%}
        {%- for row in rows -%}
            comment on column {{ this }}."{{ row[0] }}" is {{ sql_string(
                "Share of the area's venues in the category \"" ~ row[1] ~ "\" (" ~ row[2] ~ " venues in "
                ~ row[3] ~ " areas in all); 0 where the area has none.") }};
        {% endfor -%}
    {%- endif -%}
{% endmacro %}
