{% macro latest_load(relation, partition_by=none, where=none) %}
    {#- The rows of `relation` from its latest load (by loaded_at, then load_id), overall or per
        `partition_by` column, among the rows matching `where`: raw tables are append-only and
        the models read the newest load. -#}
    select *
    from {{ relation }}
    {% if where %}where {{ where }}{% endif %}
    qualify row_number() over (
        {% if partition_by %}partition by {{ partition_by }}{% endif %}
        order by loaded_at desc, load_id desc
    ) = 1
{% endmacro %}
