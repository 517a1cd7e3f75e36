{% test within_range(model, column_name, min_value, max_value) %}
-- Rows whose value lies outside [min_value, max_value] (nulls pass; test them with not_null),
-- whole, so that a failure names the row's key.
select *
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
