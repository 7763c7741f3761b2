"""The Streamlit shell's shared parts: session state, widget components, charts, formatting.

Pages import from here; `segmentation/` never does (it knows nothing of Streamlit).
"""
