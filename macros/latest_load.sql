{% macro latest_load(relation, partition_by=none, where=none) %}
    {#- The rows of `relation` from its latest load (by loaded_at, then load_id), overall or per
        `partition_by` column(s) (a name or a list), among the rows matching `where`: raw tables are
        append-only and the models read the newest load. The latest loads are picked on the key
        columns alone and joined back, so that large columns (a response's JSON) never pass through
        the window. -#}
    {%- set keys = [partition_by] if partition_by is string else (partition_by or []) %}
    select candidate.*
    from (
        select * from {{ relation }}
        {% if where %}where {{ where }}{% endif %}
    ) as candidate
    inner join (
        select
            load_id{% for key in keys %},
            {{ key }}{% endfor %}
        from {{ relation }}
        {% if where %}where {{ where }}{% endif %}
        qualify row_number() over (
            {% if keys %}partition by {{ keys | join(', ') }}{% endif %}
            order by loaded_at desc, load_id desc
        ) = 1
    ) as latest
        on
            candidate.load_id = latest.load_id
            {%- for key in keys %}
            and candidate.{{ key }} = latest.{{ key }}
            {%- endfor %}
{% endmacro %}
