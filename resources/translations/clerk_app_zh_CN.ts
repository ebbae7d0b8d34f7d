<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../ui/home.py" line="41" />
        <source>Welcome, %1 (%2)</source>
        <translation>您好，%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="42" />
        <source>Drafts and cases handed over to this window</source>
        <translation>草稿及移交本窗口的案件</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="58" />
        <source>(no intake work for this role)</source>
        <translation>（该角色无受理业务）</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="66" />
        <source>(no open drafts)</source>
        <translation>（暂无草稿）</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login.py" line="66" />
        <location filename="../../ui/login.py" line="71" />
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="67" />
        <source>Comprehensive Window Workstation</source>
        <translation>一窗受理工作台</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="68" />
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="69" />
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="70" />
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="72" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="91" />
        <source>Comprehensive Window Workstation</source>
        <translation>一窗受理工作台</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="94" />
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="95" />
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="96" />
        <source>Sign &amp;out</source>
        <translation>注销(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="97" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="99" />
        <source>User: %1 · No. %2 · %3</source>
        <translation>用户：%1 · 工号 %2 · %3</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="101" />
        <source>Station %1 · Window %2</source>
        <translation>站点 %1 · %2 号窗口</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="103" />
        <source>Card reader: %1</source>
        <translation>读卡器：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="104" />
        <source>Scanner: %1</source>
        <translation>扫描仪：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="105" />
        <source>Printer: %1</source>
        <translation>打印机：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="106" />
        <source>Back office: offline</source>
        <translation>后台：离线</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="107" />
        <source>Back office: %1</source>
        <translation>后台：%1</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <location filename="../../ui/pages.py" line="37" />
        <source>Home</source>
        <translation>首页</translation>
    </message>
</context>
</TS>