{% test matches_pattern(model, column_name, pattern) %}
-- Rows whose value does not fully match the regular expression `pattern` (nulls pass), whole.
select *
from {{ model }}
where {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '{{ pattern }}')
{% endtest %}
