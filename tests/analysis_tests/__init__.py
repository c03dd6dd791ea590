"""Tests of the analysis library, the plot command and the notebooks."""
