<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt strings that qtbase_zh_CN.qm (shipped with PySide6) leaves in English; compiled to
     ningxia_qt_zh_CN.qm with: pyside6-lrelease ningxia_qt_zh_CN.ts -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message><source>&amp;Look in:</source><translation>查找范围(&amp;L)：</translation></message>
    <message><source>Files of &amp;type:</source><translation>文件类型(&amp;T)：</translation></message>
    <message><source>Look in:</source><translation>查找范围：</translation></message>
    <message><source>Files of type:</source><translation>文件类型：</translation></message>
</context>
<context>
    <name>QPrintSettingsOutput</name>
    <message><source>Page &amp;Set:</source><translation>页面集(&amp;S)：</translation></message>
</context>
</TS>
