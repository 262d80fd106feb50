"""The PySide6 desktop front end of Cadre Desk (帮扶工作台).

``ui.app.run`` starts it; ``ui.main_window.MainWindow`` is the shell that the
feature modules (household page, print preview, dashboard, sync dialogs) plug
into through their ``install(window)`` function. The core (``cadre_desk``)
never imports anything from here.
"""
