"""Finance: unit costs, the LCO's capitated budget and ledger, reinvestment, Green Book appraisal.

* :mod:`simulation.finance.params` declares every finance parameter (the scenario's ``finance``
  section) with its unit and source;
* :mod:`simulation.finance.costs` maps model activity to unit costs and uprates them to a price
  year;
* :mod:`simulation.finance.ledger` is the in-run ledger attached to the LCO: budget, spend by
  sector, cash-releasing savings and their reinvestment in community capacity (a feedback loop);
* :mod:`simulation.finance.appraisal` compares policy arms with "do nothing" (discounting, NPV,
  BCR, break-even, optimism bias, confidence intervals across paired replications);
* :mod:`simulation.finance.sensitivity` varies the uncertain finance assumptions one at a time.
"""
