{% macro published_models() %}
    {#- The models users read: every enabled model under models/marts/. -#}
    {%- set models = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.fqn[1] == 'marts' and node.config.enabled -%}
        {%- do models.append(node) -%}
    {%- endfor -%}
    {%- do return(models | sort(attribute='alias')) -%}
{% endmacro %}

{% macro published_model_names() %}
    {%- do return(published_models() | map(attribute='alias') | list) -%}
{% endmacro %}

{% macro publish_build(results) %}
    {#- on-run-end: publish the marts of a build that passed; otherwise say why not, what failed
        (with the first failing rows of each failed data test) and which build is still published.

        A build publishes when it is a `dbt build` that ran every mart and every data test and
        nothing failed, errored or was skipped. The marts are then published into var
        published_schema in one transaction (publish_sql), and the build is recorded in
        published_schema.published_builds. -#}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test') -%}
        {%- do return('select 1') -%}
    {%- endif -%}
    {%- set published = var('published_schema') -%}
    {%- set problems = [] -%}
    {%- for result in results if result.status in ('error', 'fail', 'skipped', 'runtime error', 'partial success') -%}
        {%- do problems.append(result) -%}
    {%- endfor -%}
    {%- do report_failing_rows(results | selectattr('status', 'in', ['fail', 'warn']) | list) -%}
    {%- set ran = results | map(attribute='node') | map(attribute='unique_id') | list -%}
    {%- set marts = published_models() -%}
    {%- set unbuilt = marts | rejectattr('unique_id', 'in', ran) | list -%}
    {%- set untested = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.config.enabled and node.unique_id not in ran -%}
        {%- do untested.append(node) -%}
    {%- endfor -%}
    {%- set last = last_published_build() -%}
    {%- set still = ("The tables in schema " ~ published ~ " are still those of the build published at "
        ~ last[1] ~ " (invocation " ~ last[0] ~ ").") if last else
        ("Schema " ~ published ~ " holds no published build yet.") -%}
    {%- if problems -%}
        {{ log("NOT PUBLISHED: " ~ problems | length ~ " node(s) failed or were skipped, so this build's tables stay in schema "
            ~ var('build_schema') ~ " for inspection" ~ outputs_aside(ran) ~ ". " ~ still, info=True) }}
    {%- elif flags.WHICH != 'build' or unbuilt or untested -%}
        {{ log("Not published: only a `dbt build` of every mart with every data test publishes ("
            ~ ("this was `dbt " ~ flags.WHICH ~ "`" if flags.WHICH != 'build' else
               (unbuilt | length) ~ " mart(s) and " ~ (untested | length) ~ " data test(s) were not selected")
            ~ "); the models it built are in schema " ~ var('build_schema') ~ outputs_aside(ran) ~ ". " ~ still, info=True) }}
    {%- else -%}
        {%- do run_query(publish_sql(marts, last)) -%}
        {{ log("Published " ~ marts | length ~ " marts into schema " ~ published ~ " (invocation "
            ~ invocation_id ~ ")" ~ publish_outputs(marts) ~ ".", info=True) }}
    {%- endif -%}
    {%- do return('select 1') -%}
{% endmacro %}

{% macro outputs_aside(ran) %}
    {#- What an unpublished build did with its map and report (segmentation_outputs). -#}
    {%- if ran | select('equalto', 'model.' ~ project_name ~ '.segmentation_outputs') | list -%}
        {%- do return(", and its map and report are in the folder unpublished/ beside the published ones") -%}
    {%- endif -%}
    {%- do return('') -%}
{% endmacro %}

{% macro publish_outputs(marts) %}
    {#- After the marts are published: move the files segmentation_outputs wrote aside into place
        (publish_output_file, from the dbt plugin segmentation.duckdb_plugin). -#}
    {%- if 'segmentation_outputs' not in marts | map(attribute='alias') | list -%}{%- do return('') -%}{%- endif -%}
    {%- set moved = run_query(
        "select count(*) filter (where publish_output_file(path)) from (select unnest([map_path, cdn_map_path, "
        ~ "report_path, geojson_path, model_selection_plot_path]) as path from " ~ var('published_schema')
        ~ ".segmentation_outputs)").columns[0].values()[0] -%}
    {%- do return("; " ~ moved ~ " output file(s) moved into place") -%}
{% endmacro %}

{% macro last_published_build() %}
    {%- set found = run_query(
        "select table_name from information_schema.tables where table_schema = '" ~ var('published_schema')
        ~ "' and table_name = 'published_builds'") -%}
    {%- if found.rows | length == 0 -%}{%- do return(none) -%}{%- endif -%}
    {%- set last = run_query(
        "select invocation_id, strftime(published_at, '%Y-%m-%d %H:%M:%S UTC') from "
        ~ var('published_schema') ~ ".published_builds order by published_at desc limit 1") -%}
    {%- if last.rows | length == 0 -%}{%- do return(none) -%}{%- endif -%}
    {%- set names = run_query(
        "select unnest(models) from " ~ var('published_schema') ~ ".published_builds where invocation_id = '"
        ~ last.rows[0][0] ~ "'").columns[0].values() | list -%}
    {%- do return([last.rows[0][0], last.rows[0][1], names]) -%}
{% endmacro %}

{% macro publish_sql(marts, last) %}
    {#- Publishing costs one rename and two views a mart, whatever its rows: each mart's table in
        var build_schema is renamed <name>__published (the previous one dropped), var
        published_schema gets a view of it, and build_schema a view of it too, so that a partial
        build afterwards still reads every mart. All in one transaction: readers see the old
        build or the new one, never a mix. -#}
    {%- set build_schema = var('build_schema') -%}
    {%- set target_schema = var('published_schema') -%}
    {%- set names = marts | map(attribute='alias') | list -%}
    {%- set stale = (last[2] | reject('in', names) | list) if last else [] -%}
    {%- set existing = {} -%}
    {%- for row in run_query(
        "select table_name, table_type from information_schema.tables where table_schema = '" ~ target_schema ~ "'").rows -%}
        {%- do existing.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set comments = run_query(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = '"
        ~ build_schema ~ "' and comment is not null and table_name in ('" ~ names | join("', '") ~ "')") -%}
    {%- set table_comments = run_query(
        "select table_name, comment from duckdb_tables() where schema_name = '"
        ~ build_schema ~ "' and comment is not null and table_name in ('" ~ names | join("', '") ~ "')") -%}
    begin transaction;
    create schema if not exists {{ target_schema }};
    create table if not exists {{ target_schema }}.published_builds (
        invocation_id varchar,
        published_at timestamptz,
        dbt_version varchar,
        models varchar[],
        vars json
    );
    {%- for name in names + stale %}
    {%- if existing.get(name) == 'VIEW' %}
    drop view {{ target_schema }}."{{ name }}";
    {%- elif existing.get(name) %}
    drop table {{ target_schema }}."{{ name }}";
    {%- endif %}
    drop table if exists {{ build_schema }}."{{ name }}__published";
    {%- endfor %}
    {%- for name in names %}
    alter table {{ build_schema }}."{{ name }}" rename to "{{ name }}__published";
    create view {{ build_schema }}."{{ name }}" as select * from {{ build_schema }}."{{ name }}__published";
    create view {{ target_schema }}."{{ name }}" as select * from {{ build_schema }}."{{ name }}__published";
    {%- endfor %}
    {%- for schema in [target_schema, build_schema] %}
    {%- for row in table_comments.rows %}
    comment on view {{ schema }}."{{ row[0] }}" is {{ sql_string(row[1]) }};
    {%- endfor %}
    {%- for row in comments.rows %}
    comment on column {{ schema }}."{{ row[0] }}"."{{ row[1] }}" is {{ sql_string(row[2]) }};
    {%- endfor %}
    {%- endfor %}
    insert into {{ target_schema }}.published_builds values (
        '{{ invocation_id }}', now(), '{{ dbt_version }}', ['{{ names | join("', '") }}'],
        {{ sql_string(tojson(invocation_args_dict.get('vars', {}))) }}
    );
    commit;
{% endmacro %}

{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro report_failing_rows(problems) %}
    {#- For each failed data test, log its first failing rows, so that the output names what and
        where (which postal codes, which categories) rather than only how many. -#}
    {%- for result in problems if result.node.resource_type == 'test' and result.status in ('fail', 'warn') -%}
        {%- set sample = run_query("select * from (" ~ result.node.compiled_code ~ ") as failing order by all limit 10") -%}
        {%- set described = [] -%}
        {%- for row in sample.rows -%}
            {%- set fields = [] -%}
            {%- for column in sample.column_names -%}
                {%- do fields.append(column ~ "=" ~ row[column]) -%}
            {%- endfor -%}
            {%- set line = fields | join(" ") -%}
            {%- do described.append(line if line | length <= 400 else line[:400] ~ " ...") -%}
        {%- endfor -%}
        {{ log(("FAILED " if result.status == 'fail' else "WARNING ") ~ result.node.name ~ " (" ~ result.failures
            ~ " rows), e.g.:\n    " ~ described | join("\n    "), info=True) }}
    {%- endfor -%}
{% endmacro %}
