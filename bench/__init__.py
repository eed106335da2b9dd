"""The govmatrix benchmark (docs/engineering.md, Page cost; issue 7): latency and throughput of the pages people
use, at 10k and 1M subjects.

Run ``python -m bench --help``. It starts gunicorn on a PostgreSQL dataset (or targets a running server),
signs the demo users in through the real sign-in form, measures each scenario with concurrent clients,
prints the environment, a table per dataset and the ratios against their targets, and writes a JSON report
to ``bench/results/``. Modules: ``stats`` (percentiles), ``client`` (HTTP sessions), ``scenarios`` (the
pages), ``load`` (the timed loop), ``datasets`` and ``server`` (databases and gunicorn), ``report``
(ratios, printing, JSON), ``run`` (the command line), ``scale`` (the synthetic datasets ``seed_demo
--subjects`` writes). ``settings``/``urls``/``admin_baseline`` serve the
stock Django admin changelist the subject list is compared with; they are never part of the app itself.
"""
