"""Qt's own strings in Chinese: the ``qtbase_zh_CN.qm`` shipped in
``resources/translations`` (from Qt's translations), plus the few strings
Qt 6 renamed since that file was translated (the file dialog's "&Look in:"
and "Files of &type:" stayed English), and the Chinese locale for dates."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from cadre_desk.paths import resource_path

CHINA = QLocale(QLocale.Language.Chinese, QLocale.Country.China)

# (context, source) -> Chinese, for strings the shipped .qm file lacks.
SUPPLEMENT = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Cancel"): "取消",
    ("QFileDialog", "Name"): "名称",
    ("QFileDialog", "Size"): "大小",
    ("QFileDialog", "Date Modified"): "修改日期",
    ("QFileDialog", "Type"): "类型",
    # The file list's 类型 column (a roster import chooser lists folders too).
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
}


class SupplementTranslator(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt API
        return SUPPLEMENT.get((context, source))  # None: the next translator answers

    def isEmpty(self) -> bool:
        return False


def install(app: QApplication) -> bool:
    """Install once; True when Qt's Chinese file was found."""
    if getattr(app, "_cadre_translators", None):
        return True
    QLocale.setDefault(CHINA)
    translators = []
    qt_file = QTranslator(app)
    for folder in (str(resource_path("translations")),
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        if qt_file.load(CHINA, "qtbase", "_", folder):
            app.installTranslator(qt_file)
            translators.append(qt_file)
            break
    supplement = SupplementTranslator(app)
    app.installTranslator(supplement)  # installed last: asked first
    translators.append(supplement)
    app._cadre_translators = translators
    return len(translators) == 2
