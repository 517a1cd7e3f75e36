{% test not_null_columns(model, column_names) %}
-- Rows where any of the listed columns is null (one test for a model's required columns), with
-- which ones are null, and the whole row (so a failure names its key).
select
    list_filter(
        [{%- for column in column_names %}
            case when {{ column }} is null then '{{ column }}' end{% if not loop.last %},{% endif %}
        {%- endfor %}],
        lambda name: name is not null
    ) as null_columns,
    *
from {{ model }}
where
    {%- for column in column_names %}
    {{ column }} is null{% if not loop.last %} or{% endif %}
    {%- endfor %}
{% endtest %}
