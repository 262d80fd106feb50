"""The colours the window gives a message: red for an error (it blocks),
orange for a warning (it does not). One place, so every form, dialog and
page says the same thing in the same colour."""

ERROR_COLOR = "#c62828"
WARNING_COLOR = "#b45f06"
ERROR_STYLE = f"color: {ERROR_COLOR};"
WARNING_STYLE = f"color: {WARNING_COLOR};"
