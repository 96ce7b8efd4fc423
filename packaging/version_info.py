"""The Windows version resource of the frozen executables (Properties → Details), from
ningxia_gis.__version__, in the text format PyInstaller's `version=` takes (what `pyi-grab_version`
prints; PyInstaller evaluates it with its versioninfo classes, which import only on Windows)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    text = (ROOT / "ningxia_gis" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def version_text(exe_name: str = "ningxia-gis.exe") -> str:
    nums = tuple(int(n) for n in re.findall(r"\d+", version())[:4])
    nums += (0,) * (4 - len(nums))
    strings = {"CompanyName": "ningxia_gis", "FileDescription": "宁夏国土空间管控审查工具 ningxia_gis",
               "FileVersion": version(), "InternalName": "ningxia_gis", "LegalCopyright": "MIT License",
               "OriginalFilename": exe_name, "ProductName": "ningxia_gis 宁夏国土空间管控审查工具",
               "ProductVersion": version()}
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={nums}, prodvers={nums}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('080404B0', [
          {table}])]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
"""


def write_version_file(path: str, exe_name: str = "ningxia-gis.exe") -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(version_text(exe_name), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(version_text())
