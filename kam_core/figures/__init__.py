"""Pure plotly figure builders (no streamlit): DataFrame in, ``go.Figure`` out.

Titles and labels are arguments so the dashboard can pass translated text.
"""
