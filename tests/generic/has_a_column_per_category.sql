{% test has_a_column_per_category(model, counts, prefix='cat_') %}
-- The pivot's category columns against the categories its areas have (in `counts`, one row per
-- area and category): a category without its column, or a column no category names, is a failing
-- row.
{%- set present = [] %}
{%- if execute %}
    {%- for column in adapter.get_columns_in_relation(model) if column.name.startswith(prefix) %}
        {%- do present.append("'" ~ column.name | replace("'", "''") ~ "'") %}
    {%- endfor %}
{%- endif %}
with

present as (
    {%- if present %}
    select unnest([{{ present | join(', ') }}]) as column_name
    {%- else %}
    select null::varchar as column_name where false
    {%- endif %}
),

expected as (
    select distinct counts.column_name
    from {{ counts }} as counts
    where counts.area_set in (select pivoted.area_set from {{ model }} as pivoted)
)

select
    coalesce(expected.column_name, present.column_name) as column_name,
    case when present.column_name is null then 'missing from the pivot' else 'no category has it' end as problem
from expected
full outer join present on expected.column_name = present.column_name
where expected.column_name is null or present.column_name is null
{% endtest %}
