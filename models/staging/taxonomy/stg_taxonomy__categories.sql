with

latest_files as (
    {{ latest_load(source('taxonomy', 'taxonomy_files'), partition_by='kind') }}
),

landed as (
    select
        latest_files.kind,
        categories.*
    from {{ source('taxonomy', 'taxonomy_categories') }} as categories
    inner join latest_files on categories.load_id = latest_files.load_id
),

-- The taxonomies the project ships, for each kind no file has been landed for.
unioned as (
    select * from landed
    union all by name
    select
        *,
        'seed' as load_id
    from {{ ref('category_taxonomies') }}
    where kind not in (select latest_files.kind from latest_files)
)

select
    kind,
    category_id,
    category_name,
    tag_key,
    group_name,
    level,
    path,
    {{ category_key('category_name') }} as name_key,
    position,
    load_id
from unioned
