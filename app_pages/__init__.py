"""The app's pages, one file a screen (run by st.navigation in app.py), and `frame`, their shared frame."""
