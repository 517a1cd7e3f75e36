{% macro require_raw_tables() %}
    {#- Fail a run early, with a clear message, when the ingesters have not landed anything yet. -#}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set required = [
            'wikipedia_pages', 'wikipedia_postal_code_rows', 'coordinate_files', 'coordinates',
            'venue_responses', 'place_point_files', 'place_points', 'overture_extracts', 'overture_places',
            'boundary_files', 'boundary_features'
        ] -%}
        {%- set found = run_query(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).columns[0].values() -%}
        {%- set missing = required | reject('in', found) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "The raw tables " ~ missing | join(', ') ~ " are missing from " ~ target.path ~ ". "
                ~ "Land the inputs first: `python -m ingest all --snapshot ../shared/data/snapshots/toronto-2020-01` "
                ~ "(offline) or `python -m ingest all` (live), or run `make run`."
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
