{% test relationships_on_columns(model, to, columns) %}
-- Rows whose key (several columns, e.g. area_set and area_id) has no row in `to`.
select child.*
from {{ model }} as child
left join {{ to }} as parent
    on
    {%- for column in columns %}
        child.{{ column }} = parent.{{ column }}{% if not loop.last %} and{% endif %}
    {%- endfor %}
where
    {%- for column in columns %}
    child.{{ column }} is not null and{% endfor %}
    parent.{{ columns[0] }} is null
{% endtest %}
