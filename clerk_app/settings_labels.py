"""What the administrator reads on the settings page: a Chinese name and explanation for every option
of ``clerk_app.settings.Settings`` (the option names and English descriptions stay in the file, the
docs and the log). Values of choice options are named too; a value without a name is shown as it is."""

from __future__ import annotations

from clerk_app.settings import Settings

LABELS: dict[str, tuple[str, str]] = {
    "station_code": ("工作站代码", "用于受理编号，2–12 位数字或大写字母"),
    "hall_name": ("大厅名称", "打印在每份文书上"),
    "hall_address": ("大厅地址", "打印在文书上"),
    "hall_phone": ("大厅电话", "打印在文书上"),
    "window_no": ("窗口号", "本工作站的窗口号，1–8 位字母或数字"),
    "database_url": ("数据库地址", "SQLAlchemy 地址；留空 = 数据文件夹中的 SQLite 文件"),
    "data_dir": ("数据文件夹", "数据库和附件的存放位置；留空 = 系统默认的用户数据文件夹"),
    "catalogue_dir": ("事项清单文件夹", "启动时检查的事项清单；留空 = 随程序提供的示例清单"),
    "holiday_file": ("节假日文件", "留空 = 随程序提供的 resources/calendar/holidays.toml"),
    "card_backend": ("读卡器类型", "PC/SC 芯片证件读卡器、居民身份证阅读器、两者皆用或不使用；模拟设备仅限演示模式"),
    "csca_dir": ("CSCA 证书文件夹", "用于芯片被动认证的 CSCA 证书；留空 = 不校验"),
    "master_list_files": ("主列表文件", "ICAO 主列表文件（以 ; 分隔），签名校验通过后信任其中的 CSCA"),
    "crl_dir": ("证书吊销列表文件夹", "受信任 CSCA 签发的 CRL；留空 = 不检查吊销"),
    "ga467_port": ("身份证阅读器串口", "如 /dev/ttyUSB0、COM3；留空 = 自动查找"),
    "ga467_baudrate": ("身份证阅读器波特率", "9600–921600"),
    "card_read_on_placement": ("放卡即读", "证件放上读卡器即读取（受理页、已有案件、未在读取时）；关闭 = 按 F6 读取"),
    "wlt_decoder_library": ("身份证照片解码库", "厂商提供的 WLT 照片解码库；留空 = 不解码照片"),
    "scanner_backend": ("扫描仪类型", "SANE 扫描仪、网络扫描仪投放文件的文件夹或不使用；模拟设备仅限演示模式"),
    "sane_config_dir": ("SANE 配置文件夹", "留空 = 系统默认"),
    "scan_folder": ("扫描投放文件夹", "文件夹方式的扫描仪监视的文件夹；留空 = 数据文件夹下的 scan-inbox"),
    "printer_backend": ("打印方式", "PDF 文件夹、CUPS 打印机或不打印"),
    "printer_name": ("打印机名称", "CUPS 打印队列名称"),
    "print_layout": ("纸张版式", "A4 或 80 毫米热敏卷纸"),
    "print_policy": (
        "打印策略",
        "按文书类型设定作出决定时的打印方式：always / ask / queue / never，如 receipt=ask；未列出的保持默认",
    ),
    "reconsideration_body": ("行政复议机关", "写在不予受理通知书上"),
    "litigation_court": ("行政诉讼法院", "写在不予受理通知书上"),
    "language": ("界面语言", "简体中文或英文"),
    "idle_lock_minutes": ("无操作锁屏（分钟）", "1–240"),
    "retention_days": ("个人数据保留天数", "后台确认办结后经过该天数，清除本地个人数据和扫描图像；1–3650"),
    "backoffice_url": ("后台地址", "https://…；留空 = 离线"),
    "backoffice_ca_file": ("后台 CA 证书文件", "用于校验后台 TLS 证书的 CA（PEM）；留空 = 系统 CA"),
    "sync_interval_seconds": ("同步间隔（秒）", "无待发数据时两次同步之间的秒数；5–3600"),
    "customer_window": ("群众端屏幕", "向受理人员显示面向群众的窗口（材料清单、确认、评价）"),
    "customer_screen": ("群众端屏幕位置", "留空 = 有第二块屏幕时使用第二块；或填写 Qt 报告的屏幕名（如 HDMI-1）"),
    "customer_rating_timeout": ("评价等待（秒）", "评价页面等待多少秒后致谢并返回待机；5–600"),
    "customer_large_type": ("群众端适老化显示", "群众端屏幕使用大字号、高对比度，方便老年人和视力不佳的群众"),
    "customer_confirmation_required": (
        "受理前须群众确认清单",
        "开启后，申请人须在群众端屏幕确认当前材料清单，才能受理或容缺受理；确认记录在案件上",
    ),
    "claim_expiry_minutes": (
        "案件占用失效（分钟）",
        "占用案件超过该分钟数自动失效，以免崩溃的工作站一直占用；占用当天午夜也会失效；10–1440",
    ),
    "demo": ("演示模式", "模拟设备、演示用户和示例数据"),
}

VALUE_LABELS: dict[str, dict[str, str]] = {
    "card_backend": {
        "": "默认（演示模式为模拟，否则为 PC/SC）",
        "simulated": "模拟（仅演示）",
        "pyscard": "PC/SC 读卡器",
        "ga467": "居民身份证阅读器",
        "both": "两者皆用",
        "none": "不使用",
    },
    "scanner_backend": {
        "": "默认（演示模式为模拟，否则为 SANE）",
        "simulated": "模拟（仅演示）",
        "sane": "SANE 扫描仪",
        "folder": "文件夹",
        "none": "不使用",
    },
    "printer_backend": {"pdf-folder": "PDF 文件夹", "cups": "CUPS 打印机", "none": "不打印"},
    "print_layout": {"a4": "A4", "roll80": "80 毫米卷纸"},
    "language": {"zh_CN": "简体中文", "en": "English"},
}


def label(name: str) -> str:
    return LABELS.get(name, (name, ""))[0]


def explanation(name: str) -> str:
    return LABELS.get(name, ("", ""))[1]


def value_label(name: str, value: str) -> str:
    return VALUE_LABELS.get(name, {}).get(value, value)


def missing() -> list[str]:
    """Options without a Chinese name (a test keeps this empty when an option is added)."""
    return [f for f in Settings.__dataclass_fields__ if f not in LABELS]
