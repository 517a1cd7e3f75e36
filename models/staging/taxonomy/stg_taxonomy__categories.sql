with

latest_files as (
    select *
    from {{ source('taxonomy', 'taxonomy_files') }}
    qualify row_number() over (partition by kind order by loaded_at desc, load_id desc) = 1
),

categories as (
    select * from {{ source('taxonomy', 'taxonomy_categories') }}
)

select
    latest_files.kind,
    categories.category_id,
    categories.category_name,
    categories.tag_key,
    categories.group_name,
    categories.level,
    categories.path,
    {{ category_key('categories.category_name') }} as name_key,
    categories.position,
    categories.load_id
from categories
inner join latest_files on categories.load_id = latest_files.load_id
