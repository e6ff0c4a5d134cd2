"""The code lessons show, one module per topic; each function is what a learner would write."""
