{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Every model, seed and test builds in var build_schema; the on-run-end hook
        (publish_build) copies the marts into var published_schema once a whole build has passed,
        so that users never read a half-built or failed build. -#}
    {{ var('build_schema') }}
{%- endmacro %}
