"""The Windows version resource of the frozen executables, from ningxia_gis.__version__."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    text = (ROOT / "ningxia_gis" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def write_version_file(path: str) -> str:
    """Write a PyInstaller version file (the format `pyi-grab_version` prints) and return its path."""
    from PyInstaller.utils.win32.versioninfo import (FixedFileInfo, StringFileInfo, StringStruct, StringTable,
                                                      VarFileInfo, VarStruct, VSVersionInfo)

    nums = tuple(int(n) for n in re.findall(r"\d+", version())[:4])
    nums += (0,) * (4 - len(nums))
    strings = {"CompanyName": "ningxia_gis", "FileDescription": "宁夏国土空间管控审查工具 ningxia_gis",
               "FileVersion": version(), "InternalName": "ningxia_gis", "LegalCopyright": "MIT License",
               "OriginalFilename": "ningxia-gis.exe", "ProductName": "ningxia_gis 宁夏国土空间管控审查工具",
               "ProductVersion": version()}
    info = VSVersionInfo(
        ffi=FixedFileInfo(filevers=nums, prodvers=nums),
        kids=[StringFileInfo([StringTable("080404B0", [StringStruct(k, v) for k, v in strings.items()])]),
              VarFileInfo([VarStruct("Translation", [0x0804, 1200])])])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(str(info), encoding="utf-8")
    return path
