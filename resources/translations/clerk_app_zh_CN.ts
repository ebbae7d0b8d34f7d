<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="80" />
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="81" />
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="82" />
        <source>Staff no.:</source>
        <translation>工号：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="84" />
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="86" />
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="87" />
        <source>Password again:</source>
        <translation>再次输入密码：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="89" />
        <source>At least 8 characters with both letters and digits.</source>
        <translation>至少 8 位，须同时包含字母和数字。</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <location filename="../../ui/admin/page.py" line="47" />
        <source>Catalogue versions</source>
        <translation>事项清单版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/page.py" line="47" />
        <source>User accounts</source>
        <translation>用户账户</translation>
    </message>
    <message>
        <location filename="../../ui/admin/page.py" line="47" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/admin/page.py" line="47" />
        <source>Devices</source>
        <translation>设备</translation>
    </message>
</context>
<context>
    <name>ApplicantPanel</name>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="59" />
        <source>Agent (委托代理人)</source>
        <translation>委托代理人</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="59" />
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="61" />
        <source>&amp;Type</source>
        <translation>类型(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="62" />
        <source>&amp;Name</source>
        <translation>姓名/名称(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="63" />
        <source>Document</source>
        <translation>证件类型</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="64" />
        <source>N&amp;umber</source>
        <translation>证件号码(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="65" />
        <source>Add&amp;ress</source>
        <translation>住址(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="66" />
        <source>P&amp;hone</source>
        <translation>电话(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="67" />
        <source>Legal representative</source>
        <translation>法定代表人</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="71" />
        <source>Natural person</source>
        <translation>自然人</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="73" />
        <source>Organisation</source>
        <translation>法人或其他组织</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="76" />
        <source>Read card (F6)</source>
        <translation>读取证件 (F6)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="77" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="144" />
        <source>Saved (shown masked)</source>
        <translation>已保存（脱敏显示）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/applicant_panel.py" line="144" />
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
</context>
<context>
    <name>AskPrintDialog</name>
    <message>
        <location filename="../../ui/printing_ui.py" line="406" />
        <source>Print documents</source>
        <translation>打印文书</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="407" />
        <source>Also print for case %1:</source>
        <translation>是否同时打印办件 %1 的以下文书：</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="413" />
        <source>Preview…</source>
        <translation>预览…</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="417" />
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="419" />
        <source>Don't print</source>
        <translation>不打印</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="111" />
        <location filename="../../ui/supervisor/audit_view.py" line="198" />
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="159" />
        <source>(all)</source>
        <translation>（全部）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="209" />
        <source>%1 of %2 events</source>
        <translation>显示 %1 条，共 %2 条</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="219" />
        <source>Verify hash chain</source>
        <translation>校验哈希链</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="256" />
        <source>Audit report</source>
        <translation>审计记录报告</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="271" />
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="271" />
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="272" />
        <source>Export audit report</source>
        <translation>导出审计报告</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="363" />
        <source>Void case</source>
        <translation>作废案件</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="375" />
        <source>Correct a field</source>
        <translation>更正字段</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="416" />
        <source>Personal data and page images of cases handed out more than %1 days ago are purged; the case record and the audit trail stay. Due now: %2 cases.</source>
        <translation>办结出件超过 %1 天的案件，其个人信息和扫描页面将被清除；案件记录和审计记录保留。当前到期：%2 件。</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="429" />
        <source>Purge now</source>
        <translation>立即清除</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="438" />
        <source>Purged %1 cases (%2 personal records, %3 files).</source>
        <translation>已清除 %1 件案件（个人信息 %2 条，文件 %3 个）。</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="120" />
        <location filename="../../ui/supervisor/audit_view.py" line="195" />
        <location filename="../../ui/supervisor/audit_view.py" line="458" />
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="333" />
        <location filename="../../ui/supervisor/audit_view.py" line="458" />
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="458" />
        <source>Accounts</source>
        <translation>账号</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="411" />
        <location filename="../../ui/supervisor/audit_view.py" line="458" />
        <source>Retention</source>
        <translation>数据保留</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="364" />
        <location filename="../../ui/supervisor/audit_view.py" line="375" />
        <source>Reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="461" />
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="462" />
        <source>&amp;Role</source>
        <translation>角色(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="463" />
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="464" />
        <source>Ca&amp;se</source>
        <translation>案件(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="465" />
        <source>&amp;From</source>
        <translation>从(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="466" />
        <source>&amp;To</source>
        <translation>至(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="470" />
        <source>case number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="471" />
        <source>&amp;Filter</source>
        <translation>筛选(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="472" />
        <source>&amp;Verify chain</source>
        <translation>校验哈希链(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="473" />
        <source>Export &amp;CSV</source>
        <translation>导出 &amp;CSV</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="474" />
        <source>Export &amp;PDF</source>
        <translation>导出 &amp;PDF</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="475" />
        <source>Load &amp;more</source>
        <translation>加载更多(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="479" />
        <source>Case &amp;number</source>
        <translation>受理编号(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="480" />
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="481" />
        <source>Applicant:</source>
        <translation>申请人：</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="482" />
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="483" />
        <source>Corrections (original values kept)</source>
        <translation>更正记录（保留原值）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="484" />
        <source>&amp;Void case…</source>
        <translation>作废案件(&amp;V)…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="485" />
        <source>Co&amp;rrect a field…</source>
        <translation>更正字段(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="486" />
        <source>&amp;Purge now</source>
        <translation>立即清除(&amp;P)</translation>
    </message>
</context>
<context>
    <name>Backends</name>
    <message>
        <location filename="../../ui/main_window.py" line="32" />
        <source>simulated (demo)</source>
        <translation>模拟设备（演示）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="33" />
        <source>PC/SC reader</source>
        <translation>PC/SC 读卡器</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="34" />
        <source>resident ID reader</source>
        <translation>身份证阅读器</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="35" />
        <source>PC/SC + resident ID readers</source>
        <translation>PC/SC 读卡器 + 身份证阅读器</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="36" />
        <source>SANE scanner</source>
        <translation>SANE 扫描仪</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="37" />
        <source>import folder</source>
        <translation>导入文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="38" />
        <source>PDF folder</source>
        <translation>PDF 文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="39" />
        <source>CUPS printer</source>
        <translation>CUPS 打印机</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="40" />
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
</context>
<context>
    <name>CardDiagnosticsDialog</name>
    <message>
        <location filename="../../ui/card_diagnostics.py" line="20" />
        <source>Card reader diagnostics</source>
        <translation>读卡器诊断</translation>
    </message>
    <message>
        <location filename="../../ui/card_diagnostics.py" line="25" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/card_diagnostics.py" line="34" />
        <source>No card reader is configured</source>
        <translation>未配置读卡器</translation>
    </message>
</context>
<context>
    <name>CaseViewDialog</name>
    <message>
        <location filename="../../ui/search/case_view.py" line="66" />
        <source>Loading the case…</source>
        <translation>正在读取案件…</translation>
    </message>
    <message>
        <location filename="../../ui/search/case_view.py" line="68" />
        <location filename="../../ui/search/case_view.py" line="119" />
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../ui/search/case_view.py" line="84" />
        <source>&amp;Read the result document</source>
        <translation>查看办理结果文书(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/search/case_view.py" line="113" />
        <source>Result document</source>
        <translation>办理结果文书</translation>
    </message>
</context>
<context>
    <name>CataloguePanel</name>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="121" />
        <source>Choose a catalogue folder</source>
        <translation>选择事项清单文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="129" />
        <source>Enter or choose the catalogue folder first.</source>
        <translation>请先输入或选择事项清单文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="183" />
        <source>The catalogue was refused: %1 problem(s), listed below. Nothing was changed.</source>
        <translation>事项清单未导入：共 %1 处问题（见下方列表），未作任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="134" />
        <source>Version %1 imported (%2 items). It is not active yet: press Ctrl+E to activate it.</source>
        <translation>已导入版本 %1（%2 个事项），尚未启用：按 Ctrl+E 启用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="142" />
        <source>Select a version first.</source>
        <translation>请先选择一个版本。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="145" />
        <source>Version %1 is already the active one.</source>
        <translation>版本 %1 已是当前启用的版本。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="151" />
        <location filename="../../ui/admin/catalogue_panel.py" line="155" />
        <source>Activate catalogue version</source>
        <translation>启用事项清单版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="148" />
        <source>Activate version %1? New cases use it from now on; cases already drafted keep the version they were drafted under.</source>
        <translation>启用版本 %1？此后新建的案件使用该版本；已建的案件仍使用其建立时的版本。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="91" />
        <source>Catalogue versions</source>
        <translation>事项清单版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="154" />
        <source>Version %1 is now active.</source>
        <translation>版本 %1 已启用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="160" />
        <source>Roll back the catalogue</source>
        <translation>回退事项清单</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="161" />
        <source>Go back from version %1 to the version that was active before it?</source>
        <translation>从版本 %1 回退到此前启用的版本？</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="165" />
        <source>Rolled back: version %1 is active again.</source>
        <translation>已回退：版本 %1 重新启用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="199" />
        <source>The catalogue of service items in use at this station. Importing stores a new version without activating it; activating it makes new cases use it; cases already drafted keep their version. Every action is recorded in the audit trail.</source>
        <translation>本工作站使用的事项清单。导入只保存新版本、不启用；启用后新建案件使用该版本，已建案件保留原版本。每项操作均记入审计日志。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="206" />
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="207" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="208" />
        <source>Items</source>
        <translation>事项数</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="209" />
        <source>Imported / activated</source>
        <translation>导入/启用时间</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="210" />
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="211" />
        <source>Fingerprint</source>
        <translation>内容指纹</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="213" />
        <source>Catalogue &amp;folder:</source>
        <translation>事项清单文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="214" />
        <source>folder with catalogue.toml and items/, or its catalogue.toml</source>
        <translation>含 catalogue.toml 和 items/ 的文件夹，或其中的 catalogue.toml</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="215" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="216" />
        <source>Import (Ctrl+I)</source>
        <translation>导入 (Ctrl+I)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="217" />
        <source>Activate selected (Ctrl+E)</source>
        <translation>启用所选版本 (Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="218" />
        <source>Roll back (Ctrl+Shift+Z)</source>
        <translation>回退 (Ctrl+Shift+Z)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="219" />
        <source>Import a catalogue version</source>
        <translation>导入事项清单版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="220" />
        <source>Activate the selected catalogue version</source>
        <translation>启用所选事项清单版本</translation>
    </message>
    <message>
        <location filename="../../ui/admin/catalogue_panel.py" line="221" />
        <source>Roll back to the previous catalogue version</source>
        <translation>回退到上一事项清单版本</translation>
    </message>
</context>
<context>
    <name>ChecklistModel</name>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="18" />
        <source>Material</source>
        <translation>材料名称</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="19" />
        <source>Form</source>
        <translation>形式</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="20" />
        <source>Required (orig./copies)</source>
        <translation>应收（原件/复印件）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="21" />
        <source>Originals</source>
        <translation>已收原件</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="22" />
        <source>Copies</source>
        <translation>已收复印件</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="23" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="24" />
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/intake/checklist_model.py" line="25" />
        <source>Pages</source>
        <translation>页数</translation>
    </message>
</context>
<context>
    <name>ClaimBanner</name>
    <message>
        <location filename="../../ui/claims.py" line="53" />
        <source>&amp;Release claim…</source>
        <translation>释放占用(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="62" />
        <location filename="../../ui/claims.py" line="96" />
        <source>Release the claim</source>
        <translation>释放占用</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="64" />
        <source>Release %1's claim on this case? Give the reason; it is recorded in the audit trail.</source>
        <translation>释放 %1 对本案的占用？请填写原因，原因将记入审计日志。</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="67" />
        <source>e.g. the station crashed; the clerk has gone home</source>
        <translation>例如：工作站死机；经办人已下班</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="69" />
        <source>Release</source>
        <translation>释放</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="70" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/claims.py" line="133" />
        <source>Opening the case</source>
        <translation>正在打开案件</translation>
    </message>
</context>
<context>
    <name>CoreOp</name>
    <message>
        <location filename="../../ui/operations.py" line="243" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/operations.py" line="303" />
        <source>Something unexpected went wrong; nothing was lost. Please try again or call IT support.</source>
        <translation>发生意外错误，数据未丢失。请重试，或联系信息技术人员。</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="88" />
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/audit_view.py" line="89" />
        <source>New value</source>
        <translation>新值</translation>
    </message>
</context>
<context>
    <name>CustomerWindow</name>
    <message>
        <location filename="../../ui/customer/window.py" line="222" />
        <source>Applicant screen — %1</source>
        <translation>办事群众屏 — %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="224" />
        <location filename="../../ui/customer/window.py" line="227" />
        <source>Window %1</source>
        <translation>%1 号窗口</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="225" />
        <source>Staff No. %1</source>
        <translation>工号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="228" />
        <source>Welcome. The clerk will be with you shortly.</source>
        <translation>欢迎您！工作人员将很快为您办理。</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="229" />
        <source>Confirm the material list</source>
        <translation>确认材料清单</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="230" />
        <source>I have read it — rate our service</source>
        <translation>我已知晓，去评价</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="231" />
        <source>Please rate our service</source>
        <translation>请您对本次服务作出评价</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="234" />
        <source>Sorry. What went wrong? (choose at least one)</source>
        <translation>很抱歉！请选择不满意的原因（至少一项）</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="237" />
        <source>Anything else you would like to tell us (optional)</source>
        <translation>其他意见（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="238" />
        <source>Submit</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="397" />
        <source>Now serving No. %1</source>
        <translation>当前服务号：%1 号</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="399" />
        <source>No. %1</source>
        <translation>%1 号</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="472" />
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="582" />
        <source>Returns to the start in %1 s</source>
        <translation>%1 秒后自动返回</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="588" />
        <source>Thank you for your feedback!</source>
        <translation>感谢您的评价！</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="588" />
        <source>Not rated. Thank you for your patience!</source>
        <translation>本次未评价，感谢您的耐心！</translation>
    </message>
    <message>
        <location filename="../../ui/customer/window.py" line="240" />
        <source>Show or hide the applicant's screen (Ctrl+Shift+C)</source>
        <translation>显示/隐藏办事群众屏（Ctrl+Shift+C）</translation>
    </message>
</context>
<context>
    <name>DeliveryPage</name>
    <message>
        <location filename="../../ui/delivery/page.py" line="156" />
        <source>Case &amp;number</source>
        <translation>受理编号(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="157" />
        <source>type the case number or scan the receipt's QR code</source>
        <translation>输入受理编号，或扫描回执上的二维码</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="158" />
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="159" />
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="160" />
        <source>Handover</source>
        <translation>交付方式</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="161" />
        <source>Collected at the &amp;window</source>
        <translation>窗口领取(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="162" />
        <source>Sent by e&amp;xpress</source>
        <translation>邮寄送达(&amp;X)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="163" />
        <source>Collector's &amp;ID number</source>
        <translation>领取人证件号码(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="164" />
        <source>read the card, or type the number and press Enter</source>
        <translation>读取证件，或输入号码后按回车</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="165" />
        <source>&amp;Courier</source>
        <translation>快递公司(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="166" />
        <source>&amp;Tracking number</source>
        <translation>快递单号(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="167" />
        <source>Delivery &amp;address</source>
        <translation>收件地址(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="168" />
        <source>Confirm &amp;delivery</source>
        <translation>确认出件(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="169" />
        <source>Confirm delivery</source>
        <translation>确认出件</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="170" />
        <source>Next case</source>
        <translation>下一件</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="171" />
        <source>Read identity card</source>
        <translation>读取身份证件</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="172" />
        <source>Read card (F6)</source>
        <translation>读取证件 (F6)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="173" />
        <source>Result document</source>
        <translation>办理结果文书</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="174" />
        <source>Preview (Ctrl+P)</source>
        <translation>预览（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="175" />
        <source>Preview the result document</source>
        <translation>预览办理结果文书</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="178" />
        <source>Enter: next step · F6: read card · Ctrl+Enter: confirm · Ctrl+L: next case · Ctrl+P: result document · scan: look up · Shift+F4: results ready</source>
        <translation>回车：下一步 · F6：读取证件 · Ctrl+回车：确认出件 · Ctrl+L：下一件 · Ctrl+P：办理结果文书 · 扫码即查找 · Shift+F4：待领取</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="280" />
        <source>Reading the card…</source>
        <translation>正在读取证件…</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="325" />
        <source>Find the case first.</source>
        <translation>请先查找案件。</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/page.py" line="373" />
        <source>Result delivery</source>
        <translation>办结出件</translation>
    </message>
</context>
<context>
    <name>DevicesPanel</name>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="70" />
        <source>Printing is not set up at this station.</source>
        <translation>本工作站未设置打印。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="56" />
        <source>Asking the printer…</source>
        <translation>正在查询打印机…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="75" />
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="61" />
        <source>Printing the test page…</source>
        <translation>正在打印测试页…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="63" />
        <source>The test page was sent to the printer: check the 100 mm ruler.</source>
        <translation>测试页已送打印机：请量一量页上 100 毫米长的刻度线，检查打印比例。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="81" />
        <source>The printer is ready.</source>
        <translation>打印机就绪。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="84" />
        <source>The printer is not ready: %1</source>
        <translation>打印机未就绪：%1</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="95" />
        <source>The devices this station is configured with. They are changed on the Settings tab and used after the next start.</source>
        <translation>本工作站配置的设备。在“设置”页更改，重新启动后使用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="99" />
        <source>Card reader:</source>
        <translation>读卡器：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="100" />
        <source>Scanner:</source>
        <translation>扫描仪：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="101" />
        <source>Printer:</source>
        <translation>打印机：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="106" />
        <source>Diagnostics…</source>
        <translation>诊断…</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="107" />
        <source>Check the printer (Ctrl+T)</source>
        <translation>检查打印机 (Ctrl+T)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="108" />
        <source>Check the printer</source>
        <translation>检查打印机</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="109" />
        <source>Print a test page (Ctrl+P)</source>
        <translation>打印测试页（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../ui/admin/devices_panel.py" line="110" />
        <source>Print a test page</source>
        <translation>打印测试页</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../ui/home.py" line="32" />
        <source>Mine (Ctrl+1)</source>
        <translation>我的（Ctrl+1）</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="33" />
        <source>This window (Ctrl+2)</source>
        <translation>本窗口（Ctrl+2）</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="34" />
        <source>Whole hall (Ctrl+3)</source>
        <translation>全大厅（Ctrl+3）</translation>
    </message>
    <message>
        <location filename="../../ui/home.py" line="69" />
        <location filename="../../ui/home.py" line="84" />
        <source>Drafts and cases handed over to the windows of the hall</source>
        <translation>全大厅的草稿及移交窗口的案件（通办）</translation>
    </message>
</context>
<context>
    <name>IdentityCheckPanel</name>
    <message>
        <location filename="../../ui/intake/identity_check.py" line="47" />
        <source>Compare the person with the document (人证比对)</source>
        <translation>人证比对</translation>
    </message>
    <message>
        <location filename="../../ui/intake/identity_check.py" line="48" />
        <source>Person matches (F10)</source>
        <translation>人证一致 (F10)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/identity_check.py" line="49" />
        <source>Does not match (Shift+F10)</source>
        <translation>人证不一致 (Shift+F10)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/identity_check.py" line="60" />
        <source>No chip photo
(not decodable)</source>
        <translation>芯片无照片
（或无法解码）</translation>
    </message>
</context>
<context>
    <name>IdleLock</name>
    <message>
        <location filename="../../ui/session_lock.py" line="154" />
        <source>The screen locks in %1 s. Move the mouse or press a key to stay signed in.</source>
        <translation>%1 秒后将锁定屏幕。移动鼠标或按任意键可保持登录。</translation>
    </message>
    <message>
        <location filename="../../ui/session_lock.py" line="212" />
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <location filename="../../ui/intake/page.py" line="76" />
        <source>New intake</source>
        <translation>新建受理</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="77" />
        <source>Next applicant (F5)</source>
        <translation>下一位（F5）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="78" />
        <source>Call again (Shift+F5)</source>
        <translation>重呼（Shift+F5）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="79" />
        <source>No-show (Ctrl+F5)</source>
        <translation>过号（Ctrl+F5）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="80" />
        <source>Transfer to another window (Ctrl+Shift+F5)</source>
        <translation>转窗口（Ctrl+Shift+F5）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="81" />
        <source>Find item</source>
        <translation>查找事项</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="82" />
        <location filename="../../ui/intake/page.py" line="646" />
        <source>Read identity card</source>
        <translation>读取身份证件</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="83" />
        <source>Person matches the document</source>
        <translation>人证一致</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="84" />
        <source>Person does not match the document</source>
        <translation>人证不一致</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="85" />
        <source>Cancel the card read</source>
        <translation>取消读卡</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="86" />
        <source>Received (Ctrl+R)</source>
        <translation>已收齐 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="87" />
        <source>Counts… (Ctrl+G)</source>
        <translation>份数… (Ctrl+G)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="88" />
        <source>Waive… (Ctrl+W)</source>
        <translation>免于提交… (Ctrl+W)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="89" />
        <source>Verified (Ctrl+E)</source>
        <translation>核验无误 (Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="90" />
        <source>Defective… (Ctrl+D)</source>
        <translation>有缺陷… (Ctrl+D)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="91" />
        <source>Defer 容缺… (Ctrl+T)</source>
        <translation>容缺后补… (Ctrl+T)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="92" />
        <source>Reset line</source>
        <translation>重置此项</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="93" />
        <source>Accept (Ctrl+1)</source>
        <translation>受理 (Ctrl+1)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="94" />
        <source>Accept with deficiencies (Ctrl+2)</source>
        <translation>容缺受理 (Ctrl+2)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="95" />
        <source>One-time notice (Ctrl+3)</source>
        <translation>一次性告知 (Ctrl+3)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="96" />
        <source>Reject (Ctrl+4)</source>
        <translation>不予受理 (Ctrl+4)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="97" />
        <source>Hand over to window (Ctrl+H)</source>
        <translation>移交窗口 (Ctrl+H)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="98" />
        <source>Go to checklist</source>
        <translation>转到材料清单</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="99" />
        <source>Open the applicant's earlier case (Ctrl+O)</source>
        <translation>打开申请人的在办件（Ctrl+O）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="100" />
        <source>Sample or blank form of the line (Ctrl+B)</source>
        <translation>查看本项材料的样表或空白表 (Ctrl+B)</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="256" />
        <source>Ticket</source>
        <translation>取号</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="363" />
        <source>New intake: choose the service item</source>
        <translation>新建受理：请选择办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="459" />
        <source>Intake</source>
        <translation>受理</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="543" />
        <source>This material has no sample or blank form</source>
        <translation>该材料没有样表或空白表</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="658" />
        <source>Card placed on %1: reading</source>
        <translation>%1 上已放证件：正在读卡</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="530" />
        <source>Defer material (容缺)</source>
        <translation>容缺后补</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="564" />
        <source>Sent to the printer: %1</source>
        <translation>已送打印机：%1</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="565" />
        <source>Printing %1</source>
        <translation>正在打印：%1</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="615" />
        <source>Card read</source>
        <translation>证件读取完成</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="648" />
        <source>Card read cancelled</source>
        <translation>已取消读卡</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="641" />
        <source>Reading the card… (Esc cancels)</source>
        <translation>正在读卡…（按 Esc 取消）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="677" />
        <source>Handed over</source>
        <translation>已移交</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="677" />
        <source>The draft is now in the window's queue.</source>
        <translation>草稿已进入窗口待办队列。</translation>
    </message>
    <message>
        <location filename="../../ui/intake/page.py" line="700" />
        <source>Deadline for the deferred materials</source>
        <translation>容缺材料补交期限</translation>
    </message>
</context>
<context>
    <name>ItemPicker</name>
    <message>
        <location filename="../../ui/intake/item_picker.py" line="50" />
        <source>Service item (name, code or pinyin initials, e.g. gtgsh)</source>
        <translation>办理事项（名称、事项编码或拼音首字母，如 gtgsh）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/item_picker.py" line="51" />
        <source>Search items…</source>
        <translation>搜索事项…</translation>
    </message>
    <message>
        <location filename="../../ui/intake/item_picker.py" line="53" />
        <source>All themes</source>
        <translation>全部主题</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <location filename="../../ui/session_lock.py" line="76" />
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <location filename="../../ui/session_lock.py" line="78" />
        <source>Signed in as %1. Enter your password to continue; the open case is kept.</source>
        <translation>当前用户：%1。请输入密码继续；正在办理的案件已保留。</translation>
    </message>
    <message>
        <location filename="../../ui/session_lock.py" line="80" />
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/session_lock.py" line="81" />
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/session_lock.py" line="82" />
        <source>Sign &amp;out</source>
        <translation>注销(&amp;O)</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login.py" line="65" />
        <location filename="../../ui/login.py" line="70" />
        <location filename="../../ui/login.py" line="96" />
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="66" />
        <source>Comprehensive Window Workstation</source>
        <translation>一窗受理工作台</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="67" />
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="68" />
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="69" />
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="71" />
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="90" />
        <source>Opening the database…</source>
        <translation>正在打开数据库，请稍候…</translation>
    </message>
    <message>
        <location filename="../../ui/login.py" line="90" />
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="227" />
        <location filename="../../ui/main_window.py" line="250" />
        <source>Comprehensive Window Workstation</source>
        <translation>一窗受理工作台</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="227" />
        <location filename="../../ui/main_window.py" line="261" />
        <source>Version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="228" />
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="253" />
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="254" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="255" />
        <source>Sign &amp;out</source>
        <translation>注销(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256" />
        <source>&amp;Lock screen</source>
        <translation>锁定屏幕(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="257" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="258" />
        <source>Keyboard shortcuts</source>
        <translation>快捷键一览</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="259" />
        <source>Card reader diagnostics</source>
        <translation>读卡器诊断</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="260" />
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="263" />
        <source>User: %1 · No. %2 · %3</source>
        <translation>用户：%1 · 工号 %2 · %3</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="264" />
        <source>Station %1 · Window %2</source>
        <translation>站点 %1 · %2 号窗口</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="195" />
        <location filename="../../ui/main_window.py" line="212" />
        <location filename="../../ui/main_window.py" line="265" />
        <source>Card reader: %1</source>
        <translation>读卡器：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="266" />
        <source>Scanner: %1</source>
        <translation>扫描仪：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="267" />
        <source>Printer: %1</source>
        <translation>打印机：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="275" />
        <source>Back office: offline</source>
        <translation>后台：离线</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="276" />
        <source>Back office: %1</source>
        <translation>后台：%1</translation>
    </message>
</context>
<context>
    <name>OwedPage</name>
    <message>
        <location filename="../../ui/supplements/page.py" line="41" />
        <source>All owed</source>
        <translation>全部待补</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="42" />
        <source>Due today and overdue</source>
        <translation>今日到期及已逾期</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="43" />
        <source>Due today</source>
        <translation>今日到期</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="44" />
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="77" />
        <source>Owed materials of the whole hall</source>
        <translation>全厅待补齐材料</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="78" />
        <source>&amp;Show:</source>
        <translation>显示(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="81" />
        <location filename="../../ui/supplements/page.py" line="100" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="82" />
        <source>Open the case for supplements</source>
        <translation>打开案件登记补交材料</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/page.py" line="118" />
        <source>Enter: open the case for supplements</source>
        <translation>回车：打开案件登记补交材料</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <location filename="../../ui/pages.py" line="60" />
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="61" />
        <source>Intake</source>
        <translation>受理</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="64" />
        <source>Case search</source>
        <translation>案件查询</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="67" />
        <source>Result delivery</source>
        <translation>办结出件</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="75" />
        <source>Results ready</source>
        <translation>待领取</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="83" />
        <source>Owed materials</source>
        <translation>补齐材料</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="90" />
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="97" />
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="103" />
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <location filename="../../ui/printing_ui.py" line="327" />
        <source>Preview: %1</source>
        <translation>预览：%1</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="345" />
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小 (Ctrl+-)</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="348" />
        <source>Zoom in (Ctrl++)</source>
        <translation>放大 (Ctrl++)</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="354" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="358" />
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="393" />
        <source>%1 page(s) · %2 %</source>
        <translation>共 %1 页 · %2%</translation>
    </message>
</context>
<context>
    <name>PrintQueuePresenter</name>
    <message>
        <location filename="../../ui/printing_ui.py" line="202" />
        <source>&amp;Print</source>
        <translation>打印(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="205" />
        <source>Retry waiting documents</source>
        <translation>重新打印等待中的文书</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="207" />
        <source>Reprint for this case…</source>
        <translation>补打本案文书…</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="212" />
        <source>Reprint…</source>
        <translation>补打…</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="171" />
        <location filename="../../ui/printing_ui.py" line="259" />
        <location filename="../../ui/printing_ui.py" line="279" />
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="262" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="263" />
        <source>Later</source>
        <translation>稍后</translation>
    </message>
</context>
<context>
    <name>Prompts</name>
    <message>
        <location filename="../../ui/intake/prompts.py" line="87" />
        <source>Defective material</source>
        <translation>材料有缺陷</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="86" />
        <source>What is wrong with “%1”?</source>
        <translation>“%1”存在什么问题？</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="91" />
        <source>Waive an optional material</source>
        <translation>免于提交选择性材料</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="90" />
        <source>Why is “%1” not needed?</source>
        <translation>“%1”为什么不需要提交？</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="102" />
        <source> of %1</source>
        <translation> / 应收 %1</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="104" />
        <source>Originals received</source>
        <translation>已收原件</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="104" />
        <source>Copies received</source>
        <translation>已收复印件</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="105" />
        <source>Counts received</source>
        <translation>实收份数</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="112" />
        <source>By when must the material be brought?</source>
        <translation>请选择补交期限：</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="121" />
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="121" />
        <source>Legal basis</source>
        <translation>法律依据</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="122" />
        <source>Reject (不予受理)</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="149" />
        <source>Scan the MRZ, or type the three fields from the data page:</source>
        <translation>请扫描机读码，或按证件资料页填写以下三项：</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="150" />
        <source>MRZ lines</source>
        <translation>机读码</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="151" />
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="152" />
        <source>Birth date (YYMMDD)</source>
        <translation>出生日期（YYMMDD）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="153" />
        <source>Expiry date (YYMMDD)</source>
        <translation>有效期至（YYMMDD）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="156" />
        <source>Chip access key (MRZ)</source>
        <translation>芯片访问密钥（机读码）</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="160" />
        <source>Transfer to another window</source>
        <translation>转至其他窗口</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="160" />
        <source>Window number:</source>
        <translation>窗口号：</translation>
    </message>
    <message>
        <location filename="../../ui/intake/prompts.py" line="170" />
        <source>Cannot do that</source>
        <translation>无法执行</translation>
    </message>
</context>
<context>
    <name>QuestionsPanel</name>
    <message>
        <location filename="../../ui/intake/questions.py" line="23" />
        <source>Intake questions</source>
        <translation>受理情形</translation>
    </message>
    <message>
        <location filename="../../ui/intake/questions.py" line="41" />
        <source>(please choose)</source>
        <translation>（请选择）</translation>
    </message>
</context>
<context>
    <name>ReadyPage</name>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="74" />
        <source>Results ready for pickup in the hall (oldest first)</source>
        <translation>全大厅办结待领取的案件（按办结先后）</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="75" />
        <source>&amp;Filter</source>
        <translation>筛选(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="76" />
        <source>case number, item or name</source>
        <translation>受理编号、事项或姓名</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="78" />
        <source>&amp;Hand out (Enter)</source>
        <translation>出件(&amp;H)（回车）</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="79" />
        <location filename="../../ui/delivery/ready_page.py" line="114" />
        <source>Refresh the list</source>
        <translation>刷新列表</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="80" />
        <source>Filter the list</source>
        <translation>筛选列表</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="77" />
        <source>Refresh (Ctrl+R)</source>
        <translation>刷新（Ctrl+R）</translation>
    </message>
    <message>
        <location filename="../../ui/delivery/ready_page.py" line="82" />
        <source>Enter: hand out on the delivery page (F4) · Ctrl+F: filter · Ctrl+R: refresh · any window</source>
        <translation>回车：转到出件页（F4）办理 · Ctrl+F：筛选 · Ctrl+R：刷新 · 任一窗口均可出件</translation>
    </message>
</context>
<context>
    <name>ReprintDialog</name>
    <message>
        <location filename="../../ui/printing_ui.py" line="443" />
        <source>Reprint (补打)</source>
        <translation>补打文书</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="450" />
        <source>The copy is marked 补打 with today's time; the reprint is recorded.</source>
        <translation>补打件上印有“补打”字样和补打时间，补打情况记入审计日志。</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="452" />
        <source>Reprint</source>
        <translation>补打</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="453" />
        <source>Preview…</source>
        <translation>预览…</translation>
    </message>
    <message>
        <location filename="../../ui/printing_ui.py" line="454" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>RevealLabel</name>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="122" />
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="128" />
        <source>Show full value</source>
        <translation>显示完整信息</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="156" />
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="156" />
        <source>Show…</source>
        <translation>显示…</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="157" />
        <source>Show the full value (asks for a reason; audited)</source>
        <translation>显示完整信息（需填写原因，并记入审计）</translation>
    </message>
</context>
<context>
    <name>RevealReasonDialog</name>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="46" />
        <source>Show full value</source>
        <translation>显示完整信息</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/reveal.py" line="47" />
        <source>Why do you need the full value? The reason is recorded in the audit trail.</source>
        <translation>请填写查看完整信息的原因，该原因将记入审计记录。</translation>
    </message>
</context>
<context>
    <name>ScanningPanel</name>
    <message>
        <location filename="../../ui/scanning/panel.py" line="166" />
        <source>&amp;Scanner</source>
        <translation>扫描仪(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="166" />
        <source>S&amp;ource</source>
        <translation>进纸方式(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="166" />
        <source>&amp;Profile</source>
        <translation>扫描类型(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="166" />
        <source>&amp;Resolution</source>
        <translation>分辨率(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="167" />
        <source>&amp;File under</source>
        <translation>归入材料(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="169" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="170" />
        <source>Drop blank pages</source>
        <translation>自动去除空白页</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="171" />
        <source>Scan (F9)</source>
        <translation>扫描 (F9)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="172" />
        <source>Scan into the focused line</source>
        <translation>扫描到当前材料</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="173" />
        <source>Import files… (Ctrl+I)</source>
        <translation>导入文件… (Ctrl+I)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="174" />
        <source>Import PDF or image files into the focused line</source>
        <translation>导入 PDF 或图片文件到当前材料</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="175" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="176" />
        <source>Rotate</source>
        <translation>旋转</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="176" />
        <source>Move up</source>
        <translation>前移</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="176" />
        <source>Move down</source>
        <translation>后移</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="176" />
        <source>Delete page</source>
        <translation>删除此页</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="177" />
        <source>Rescan page</source>
        <translation>重扫此页</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="177" />
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="302" />
        <source>Scanning</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="480" />
        <location filename="../../ui/scanning/panel.py" line="483" />
        <source>Page</source>
        <translation>页面</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="207" />
        <source>No scanner configured</source>
        <translation>未配置扫描仪</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="214" />
        <source>No scanner found</source>
        <translation>未找到扫描仪</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="246" />
        <source>Ready: %1</source>
        <translation>就绪：%1</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="349" />
        <source>Import files into the line</source>
        <translation>导入文件到当前材料</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="351" />
        <source>PDF and images (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)</source>
        <translation>PDF 和图片 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="403" />
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="420" />
        <source>Page %1: %p%</source>
        <translation>第 %1 页：%p%</translation>
    </message>
    <message>
        <location filename="../../ui/scanning/panel.py" line="500" />
        <source>Scanner: %1</source>
        <translation>扫描仪：%1</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <location filename="../../ui/search/page.py" line="122" />
        <source>Case &amp;number</source>
        <translation>受理编号(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="122" />
        <source>&amp;ID number</source>
        <translation>证件号码(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="122" />
        <source>Na&amp;me</source>
        <translation>姓名/名称(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="122" />
        <source>&amp;Registered</source>
        <translation>登记日期(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="123" />
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="123" />
        <source>S&amp;tatus</source>
        <translation>状态(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="123" />
        <source>It&amp;em</source>
        <translation>事项(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="125" />
        <source>type or scan the receipt code</source>
        <translation>输入或扫描回执二维码</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="126" />
        <source>exact, applicant or agent</source>
        <translation>完整号码，申请人或代理人</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="127" />
        <source>exact full name</source>
        <translation>完整姓名或名称</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="129" />
        <source>any</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="130" />
        <source>&amp;Search</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="131" />
        <source>&amp;Clear</source>
        <translation>清空(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="132" />
        <source>&amp;Open case</source>
        <translation>查看案件(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="133" />
        <source>New search</source>
        <translation>重新查询</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="140" />
        <source>any status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="141" />
        <source>any item</source>
        <translation>全部事项</translation>
    </message>
    <message>
        <location filename="../../ui/search/page.py" line="180" />
        <source>Case search</source>
        <translation>案件查询</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="112" />
        <source>Nothing was changed.</source>
        <translation>没有修改。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="117" />
        <source>%1: not a valid value (%2)</source>
        <translation>%1：值不符合要求（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="119" />
        <source>Not saved; nothing was changed:</source>
        <translation>未保存，未作任何更改：</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="137" />
        <source>The settings file could not be written; nothing was changed.</source>
        <translation>无法写入设置文件，未作任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="133" />
        <source>Saved: %1. The changes take effect when the program is started again.</source>
        <translation>已保存：%1。重新启动程序后生效。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="152" />
        <source>The settings of this station. Each value is checked before it is saved; a saved change is recorded in the audit trail and takes effect when the program is started again.</source>
        <translation>本工作站的设置。每项值在保存前都会检查；保存的修改记入审计日志，重新启动程序后生效。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="156" />
        <source>Setting</source>
        <translation>设置项</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="156" />
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="156" />
        <source>Explanation</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="164" />
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="165" />
        <source>Undo changes</source>
        <translation>撤销修改</translation>
    </message>
    <message>
        <location filename="../../ui/admin/settings_panel.py" line="166" />
        <source>Save the settings</source>
        <translation>保存设置</translation>
    </message>
</context>
<context>
    <name>ShortcutsHelp</name>
    <message>
        <location filename="../../ui/shortcuts_help.py" line="47" />
        <source>Keyboard shortcuts</source>
        <translation>快捷键一览</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts_help.py" line="51" />
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts_help.py" line="51" />
        <source>Action</source>
        <translation>操作</translation>
    </message>
</context>
<context>
    <name>StatsPage</name>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="161" />
        <source>calculating…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="162" />
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="169" />
        <source>loaded in %1 ms</source>
        <translation>加载用时 %1 毫秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="228" />
        <source>Range</source>
        <translation>范围</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="229" />
        <source>&amp;From</source>
        <translation>从(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="230" />
        <source>&amp;To</source>
        <translation>至(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/stats_view.py" line="231" />
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
</context>
<context>
    <name>SupplementDialog</name>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="103" />
        <source>The department asks for</source>
        <translation>审批部门的补正要求</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="104" />
        <source>Owed materials: tick what came</source>
        <translation>待补交材料：勾选本次收到的材料</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="153" />
        <source>Space ticks the line; scan its pages with F9 on the right. Ctrl+S records, Ctrl+P prints the notice.</source>
        <translation>空格勾选当前材料；在右侧按 F9 扫描其页面。Ctrl+S 登记，Ctrl+P 打印告知书。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="105" />
        <source>Record supplements (Ctrl+S)</source>
        <translation>登记补交 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="106" />
        <source>Print the one-time notice (Ctrl+P)</source>
        <translation>打印一次性告知书 (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="107" />
        <location filename="../../ui/supplements/dialog.py" line="227" />
        <source>Record the ticked supplements</source>
        <translation>登记勾选的补交材料</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="108" />
        <location filename="../../ui/supplements/dialog.py" line="243" />
        <source>Print the one-time notice for the owed materials</source>
        <translation>打印待补交材料的一次性告知书</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="114" />
        <location filename="../../ui/supplements/dialog.py" line="128" />
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="156" />
        <source>Nothing is owed any more.</source>
        <translation>材料已全部补齐。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="232" />
        <source>%1 material(s) recorded.</source>
        <translation>已登记 %1 项补交材料。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="234" />
        <source>The supplement receipt is being printed.</source>
        <translation>正在打印补正材料收件凭证。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="248" />
        <source>The one-time notice is being printed.</source>
        <translation>正在打印补正材料一次性告知书。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="250" />
        <source>This window has no printer: the notice was not printed.</source>
        <translation>本窗口未配置打印机，告知书未打印。</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="266" />
        <source>Release the claim</source>
        <translation>释放占用</translation>
    </message>
    <message>
        <location filename="../../ui/supplements/dialog.py" line="289" />
        <source>Record supplements…</source>
        <translation>登记补交材料…</translation>
    </message>
</context>
<context>
    <name>SyncNowDialog</name>
    <message>
        <location filename="../../ui/sync_ui.py" line="116" />
        <source>Sync with the back office</source>
        <translation>与后台同步</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="125" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="126" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="153" />
        <source>Stopping after the case being sent…</source>
        <translation>当前办件上传完成后停止…</translation>
    </message>
</context>
<context>
    <name>SyncUi</name>
    <message>
        <location filename="../../ui/sync_ui.py" line="69" />
        <source>S&amp;ync</source>
        <translation>同步(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="70" />
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="71" />
        <source>Retry failed entries</source>
        <translation>重新提交失败的记录</translation>
    </message>
    <message>
        <location filename="../../ui/sync_ui.py" line="96" />
        <source>%1 refused entries queued again</source>
        <translation>已将 %1 条被拒收的记录重新排队</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="182" />
        <source>Enable (Ctrl+D)</source>
        <translation>启用 (Ctrl+D)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="182" />
        <location filename="../../ui/admin/users_panel.py" line="323" />
        <source>Disable (Ctrl+D)</source>
        <translation>停用 (Ctrl+D)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="189" />
        <location filename="../../ui/admin/users_panel.py" line="320" />
        <source>New user account</source>
        <translation>新建用户账户</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="191" />
        <source>Account %1 created.</source>
        <translation>已创建账户 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="200" />
        <source>New password for %1</source>
        <translation>为 %1 设置新密码</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="198" />
        <source>New password set for %1; the account is unlocked. Hand it over in person.</source>
        <translation>已为 %1 设置新密码，账户已解锁。请当面告知本人。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="209" />
        <source>Role of %1</source>
        <translation>%1 的角色</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="215" />
        <source>%1 is now: %2. The new role applies at the next sign-in.</source>
        <translation>%1 的角色已改为：%2。下次登录时生效。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="224" />
        <source>Account %1 unlocked.</source>
        <translation>账户 %1 已解锁。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="233" />
        <source>Enable the account %1 again?</source>
        <translation>重新启用账户 %1？</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="235" />
        <source>Disable the account %1? The person can no longer sign in; their cases and audit trail stay.</source>
        <translation>停用账户 %1？停用后此人不能再登录；其案件和审计记录保留。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="155" />
        <location filename="../../ui/admin/users_panel.py" line="237" />
        <location filename="../../ui/admin/users_panel.py" line="262" />
        <source>User accounts</source>
        <translation>用户账户</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="238" />
        <source>Account %1 enabled.</source>
        <translation>账户 %1 已启用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="238" />
        <source>Account %1 disabled.</source>
        <translation>账户 %1 已停用。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="248" />
        <source>Select an account first.</source>
        <translation>请先选择一个账户。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="303" />
        <source>The accounts that can sign in at this station. Passwords are never shown; a disabled account keeps its history. Every change is recorded in the audit trail.</source>
        <translation>可在本工作站登录的账户。密码不会显示；停用的账户保留其历史记录。每项更改均记入审计日志。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="307" />
        <source>Accounts lock after repeated wrong passwords; unlocking is recorded in the audit trail.</source>
        <translation>多次输错密码后账号将被锁定；解锁操作记入审计记录。</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="311" />
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="312" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="313" />
        <source>Staff no.</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="314" />
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="315" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="316" />
        <source>Failed attempts</source>
        <translation>失败次数</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="317" />
        <source>Password set</source>
        <translation>密码设置时间</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="320" />
        <source>New account (Ctrl+N)</source>
        <translation>新建账户 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="321" />
        <source>Reset password (Ctrl+P)</source>
        <translation>重置密码 (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="322" />
        <source>Unlock (Ctrl+U)</source>
        <translation>解锁 (Ctrl+U)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="324" />
        <source>Change role (Ctrl+R)</source>
        <translation>更改角色 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="321" />
        <source>Reset a user's password</source>
        <translation>重置用户密码</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="322" />
        <source>Unlock a user account</source>
        <translation>解锁用户账户</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="323" />
        <source>Disable or enable a user account</source>
        <translation>停用或启用用户账户</translation>
    </message>
    <message>
        <location filename="../../ui/admin/users_panel.py" line="324" />
        <source>Change a user's role</source>
        <translation>更改用户角色</translation>
    </message>
</context>
</TS>