"""The interactive dashboard: move a lever of the plan and see the outcomes change.

An app on top of the library, started by ``python run.py dashboard [SCENARIO]`` or
``solara run dashboard.app``. It reads the parameter tree (:mod:`sim.scenario`) and runs the
model only through the one executor (:mod:`sim.execute`) and Mesa's stepping (SolaraViz).

- :mod:`dashboard.levers`: the controls, generated from the levers of the parameter tree and the
  dates of the timeline's ``authorize`` and ``open_exchange`` events; the edited scenario, and
  the YAML that ``extends`` its parent and says only what changed.
- :mod:`dashboard.batch`: the edited scenario and its baseline on the same seeds, in the
  background, with progress and cancel.
- :mod:`dashboard.text`: the words of the page in English and Chinese.
- :mod:`dashboard.app`: the Solara pages: compare (fan charts and paired differences) and watch
  the month (SolaraViz on one run).
"""
