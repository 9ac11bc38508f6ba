"""Finance: unit costs, the LCO's capitated budget and ledger, reinvestment, Green Book appraisal.

* :mod:`simulation.finance.params` declares every finance parameter (the scenario's ``finance``
  section) with its unit and source;
* :mod:`simulation.finance.costs` maps model activity to unit costs and uprates them to a price
  year with :mod:`simulation.finance.prices` (the NHS Cost Inflation Index, stored as data);
* :mod:`simulation.finance.programme` holds the programme cost estimates (transformation, double
  running) with their ranges and sources, and :mod:`simulation.finance.optimism` the risk register
  that sets each one's optimism bias by category;
* :mod:`simulation.finance.ledger` is the in-run ledger attached to the LCO: budget, spend by
  sector, cash-releasing savings and their reinvestment in community capacity (a feedback loop);
* :mod:`simulation.finance.appraisal` compares policy arms with "do nothing" (discounting, NPV,
  BCR, break-even, its decomposition by kind, confidence intervals across paired replications),
  and :mod:`simulation.finance.switching` finds each driver's switching value;
* :mod:`simulation.finance.sensitivity` varies the uncertain finance assumptions one at a time.
"""
