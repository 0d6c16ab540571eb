"""Publication of a consultation's anonymised results as a CKAN dataset of type
``consultation``.

One run (``jobs.publish_consultation``) goes through four steps, each in its module:

1. ``aggregation``: one ``GROUP BY`` over the private answers, in PostgreSQL (answers
   never leave the database, only counts per category);
2. ``releases``: the anonymisation engine on each question's counts, under the policy
   configured (``config.policy()``), with rule 6 (successive releases, erasures) and, in
   differential-privacy mode, the noise drawn once and the budget ledger;
3. ``outputs`` and ``dataset``: every file, DataStore table and dataset field, built in
   memory before anything is written;
4. ``writer``: the write, arranged so that a failure leaves the previous publication as
   it was.

``jobs.publish_followup`` rebuilds the follow-up resource alone; ``schedule`` decides
what ``ckan consultation publish-due`` does on its weekly round.
"""
