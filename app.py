"""Tierwise: the Streamlit app's entry point (placeholder until the pages land)."""

import streamlit as st

st.set_page_config(page_title="Tierwise", layout="wide")
st.title("Tierwise")
st.info("The workshop pages are on their way.")
