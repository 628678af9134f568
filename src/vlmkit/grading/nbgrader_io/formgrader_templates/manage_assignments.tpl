{#- The kit's Manage Assignments page (vlmkit.grading.nbgrader_io.formgrader_pages): nbgrader's own, except
    on a grades folder without a course id. That folder has no exchange by design (learners'
    submissions come through `vlmkit collect` and `vlmkit autograde`), where nbgrader would warn
    that the exchange is missing; it says what the folder is instead. -#}
{%- extends 'nbgrader/manage_assignments.tpl' -%}

{%- block messages -%}
{%- if course_id -%}
{{ super() }}
{%- else -%}
<div class="alert alert-info" id="kit-no-exchange">
This grades folder was filled by <code>vlmkit autograde</code>: every graded submission is under
<a href="{{ base_url }}/formgrader/gradebook">Manual Grading</a>, where written answers are scored.
It has no exchange, so Release and Collect are off here; a course hub (<code>vlmkit hub</code>) has one.
</div>
{%- endif -%}
{%- endblock -%}
