{% macro comment_category_columns(counts, settings) %}
    {#- A post-hook: describe each category column of the pivot (one column per category of the
        chosen set, so they cannot be listed in a yml file) with a DuckDB comment, which dbt docs
        shows. -#}
    {%- if execute -%}
        {%- set rows = run_query(
            "select column_name, any_value(category), sum(venue_count), count(*) from " ~ counts
            ~ " where area_set in (select area_set from " ~ settings ~ ") group by column_name") -%}
        {%- for row in rows -%}
            comment on column {{ this }}."{{ row[0] }}" is {{ sql_string(
                "Share of the area's venues in the category \"" ~ row[1] ~ "\" (" ~ row[2] ~ " venues in "
                ~ row[3] ~ " areas in all); 0 where the area has none.") }};
        {% endfor -%}
    {%- endif -%}
{% endmacro %}
