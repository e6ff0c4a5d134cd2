"""The code lessons show, one module per topic; each function is what a learner would write.

Demos call these functions one step at a time and show each one's source, so
everything here is plain Django, with comments that say why. Nothing here is
connected or run at import: receivers in these modules are connected only by
the demo that shows them, for that run.
"""
