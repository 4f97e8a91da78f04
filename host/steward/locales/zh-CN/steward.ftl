# Steward's Discord front, Simplified Chinese. Same keys as
# en-US/steward.ftl (the tests check it); option names and command-line
# flags stay as they are. Chinese has one plural form (other).

## Shared pieces

list-separator = {"，"}
sentence-separator = {""}
cut = …（已截断）
yes = 是
no = 否
and-more = … 还有 { $count } 个
files = { $count ->
   *[other] { $count } 个文件
}

## Registration

cmd-update_check-name = 检查更新
cmd-update_check-description = 向每个更新源查询可用的更新
opt-update_check-check_type = 要查找哪些更新（默认：all）
opt-update_check-show_details = 显示公告、更新日志和详细信息（默认：false）
opt-update_check-include_security = 查询安全公告（默认：true）

cmd-update_status-name = 更新状态
cmd-update_status-description = 显示 Steward 和机器人的状态、更新历史与指标
opt-update_status-show_history = 列出该时间范围内的更新会话（默认：false）
opt-update_status-show_metrics = 磁盘、内存、统计数据和图表（默认：true）
opt-update_status-time_range = 回看多长时间（默认：7d）

cmd-update_schedule-name = 计划更新
cmd-update_schedule-description = 安排自动更新
opt-update_schedule-schedule_type = 运行频率
opt-update_schedule-update_types = 要安装的更新类型，逗号分隔（如 packages,config），或用 backup 表示只备份
opt-update_schedule-update_time = 配置时区中的 HH:MM（默认：default_time 设置）
opt-update_schedule-update_days = weekly/custom 的星期（sunday、mon-fri），monthly 的日期（1,15）
opt-update_schedule-enabled = 是否启用（默认：true）
opt-update_schedule-schedule_name = 计划的名称，须唯一
opt-update_schedule-max_backups_to_keep = 备份计划：保留多少个自己的备份（默认：全部）

cmd-update_settings-name = 更新设置
cmd-update_settings-description = 修改 Steward 的一项设置
opt-update_settings-setting_category = 哪一组设置
opt-update_settings-setting_name = 设置的名称（如 max_backups）
opt-update_settings-setting_value = 新的值
opt-update_settings-reset_to_default = 恢复为 steward.toml 中的值（默认：false）

cmd-update_install-name = 安装更新
cmd-update_install-description = 安装可用的更新（先备份，失败时回滚）
opt-update_install-update_type = 要安装哪些更新
opt-update_install-backup_before = 先做一次备份（默认：true）
opt-update_install-restart_required = 更新需要时重启机器人（默认：true）
opt-update_install-force_update = 忽略安全警告继续；仍会校验校验和（默认：false）
opt-update_install-backup_name = 更新前备份的名称

cmd-update_rollback-name = 回滚更新
cmd-update_rollback-description = 回滚到以前的版本或最近的备份
opt-update_rollback-target_version = 要回到的版本，或 last_backup
opt-update_rollback-confirm = 确认机器人的文件将被替换
opt-update_rollback-create_backup = 先备份当前状态（默认：true）
opt-update_rollback-restore_config = 同时恢复配置文件（默认：true）

cmd-backup_create-name = 创建备份
cmd-backup_create-description = 立即备份机器人的文件
opt-backup_create-backup_type = 备份什么（默认：full）
opt-backup_create-compress = 用 gzip 压缩归档（默认：true）
opt-backup_create-backup_name = 用于查找备份的名称，最多 100 个字符（默认：无）
opt-backup_create-include_logs = 包含机器人的日志（默认：false）
opt-backup_create-description = 随备份保存的备注（默认：无）

cmd-backup_list-name = 备份列表
cmd-backup_list-description = 列出机器人的备份
opt-backup_list-backup_type = 只列出此类型的备份（默认：所有类型）
opt-backup_list-time_range = 回看多长时间（默认：30d）
opt-backup_list-limit = 显示多少个备份，1 到 50（默认：20）
opt-backup_list-sort_by = 列表顺序（默认：date，最新在前）

cmd-backup_restore-name = 恢复备份
cmd-backup_restore-description = 从备份恢复机器人的文件（仅所有者；更改前会询问）
opt-backup_restore-backup_id = 备份的 ID 或名称
opt-backup_restore-confirm = 设为 true 以继续：机器人的文件将被替换
opt-backup_restore-restore_type = 要恢复哪些文件（默认：all）
opt-backup_restore-verify_backup = 恢复前检查归档（默认：true）

## Choice names

choice-all = 全部
choice-packages = 软件包
choice-bot = 机器人
choice-config = 配置
choice-dependencies = 依赖
choice-full = 完整
choice-database = 数据库
choice-data_only = 仅数据
choice-data = 数据
choice-1d = 1 天
choice-7d = 7 天
choice-30d = 30 天
choice-90d = 90 天
choice-date = 日期
choice-size = 大小
choice-name = 名称
choice-type = 类型
choice-daily = 每天
choice-weekly = 每周
choice-monthly = 每月
choice-custom = 自定义
choice-update = 更新
choice-backup = 备份
choice-notification = 通知
choice-schedule = 计划

## /update_check

update-type-all = 所有来源
update-type-packages = 软件包
update-type-bot = 机器人
update-type-config = 配置
update-type-dependencies = 依赖
check-no-source-title = 没有来源覆盖{ $types }
check-no-source-description = 没有启用的更新源提供这些更新，因此未进行查找。
check-title = { $count ->
    [0] 没有可用的更新
   *[other] 有 { $count } 个可用更新
}
check-summary = { $security } 个安全更新，{ $breaking } 个不兼容更新
check-held = { $count } 个被版本锁定保留
check-failed = { $count } 个来源失败；{ $offered ->
    [0] 结果
   *[other] 这些结果
}不完整。
check-more-sources = 来源太多，一条消息放不下：请在服务器上运行 `steward check`。
check-source-failed = { $source } — 失败
check-up-to-date = 已是最新。
check-not-loaded = 未加载
check-footer = 已检查：{ $types }
check-footer-no-security = 未查询安全公告
check-update-new = 新
check-note-security = 安全
check-note-security-ids = 安全：{ $ids }
check-note-breaking = 不兼容
check-note-held = 被 { $reason } 保留
check-detail-released = 发布于 { $date }
check-detail-changelog = 更新日志：{ $changelog }
check-cut = …（已截断；在服务器上运行 `steward check --details` 可查看全部）

## /update_install and /update_rollback

install-checking = 正在检查将要安装的内容…
install-nothing = 没有需要安装的：所有匹配的来源都已是最新。
install-question = **安装 { $count } 个更新？**
install-conditions = { $backup ->
    [yes] 先进行完整备份
   *[no] 不预先备份
}；{ $restart ->
    [yes] 更新需要时重启机器人
   *[no] 不重启机器人
}{ $force ->
    [yes] ；忽略安全警告
   *[no] {""}
}。
rollback-question = **回滚到 { $target }？**
rollback-conditions = { $backup ->
    [yes] 先备份当前状态。
   *[no] 不预先备份。
}{ $config ->
    [yes] 同时恢复配置文件。
   *[no] 配置文件保持不变。
}
rollback-target-last-backup = last_backup（最新的备份）
rollback-target-version = { $version }（离开该版本的那次更新之前）
stopped-title = 更新被安全检查阻止
stopped-advice = 没有做任何更改。请修复这些问题，或使用 `force_update:true` 再次运行（仍会校验校验和与签名）。
outcome-nothing-run = 没有运行任何操作
outcome-title = { $status ->
    [completed] { $kind ->
        [rollback] 回滚完成
       *[install] 更新完成
    }
    [nothing] 没有需要更新的
    [rolled-back] { $kind ->
        [rollback] 回滚失败，已撤销
       *[install] 更新失败，已回滚
    }
    [rollback-failed] { $kind ->
        [rollback] 回滚失败，撤销也失败了
       *[install] 更新失败，回滚也失败了
    }
    [running] { $kind ->
        [rollback] 回滚仍在进行
       *[install] 更新仍在进行
    }
    [stopped] { $kind ->
        [rollback] 回滚被安全检查阻止
       *[install] 更新被安全检查阻止
    }
    [cancelled] { $kind ->
        [rollback] 回滚已取消
       *[install] 更新已取消
    }
   *[failed] { $kind ->
        [rollback] 回滚失败
       *[install] 更新失败
    }
}
outcome-changes = 更改
outcome-bot-version = 机器人版本
outcome-steps = 步骤
outcome-backup = 事先创建的备份
outcome-reason = 原因
outcome-not-undone = 未撤销
outcome-notes = 备注
outcome-footer = 会话 { $id }

## /backup_create, /backup_list, /backup_restore

backup-created = 备份已创建
backup-created-unverified = 备份已创建，但未通过校验
backup-field-id = ID
backup-field-type = 类型
backup-field-name = 名称
backup-field-files = 文件
backup-field-size = 大小
backup-size = { $size }（归档 { $archive }{ $gzip ->
    [yes] ，gzip
   *[no] {""}
}）
backup-field-checksum = 校验和（sha256）
backup-checksum-none = 未记录
backup-field-verified = 校验
backup-verified-ok = 每个文件都与清单一致。
backup-field-skipped = 未备份（符号链接或特殊文件）
backup-field-pruned = 已清理（释放 { $freed }）
backup-list-title = { $count ->
    [0] 没有符合条件的备份
   *[other] { $count } 个备份
}
backup-list-summary = 显示 { $matched } 个匹配中的 { $shown } 个；共存储 { $stored } 个，总计 { $size }。
backup-list-footer = 时间范围：{ $range } · 按{ $sort }排序
backup-list-more = 还有 { $count } 个放不下：请降低 limit
backup-failed-verification = 校验失败
range-days = { $count ->
   *[other] { $count } 天
}
range-all = 全部
restore-prompt-title = **从备份 `{ $id }` 恢复{ $types }文件**
restore-prompt-backup = { $types }备份，创建于 { $date }，{ $files }，{ $size }。
restore-prompt-files = 机器人目录中的以下 { $count } 个文件将恢复为备份中的内容：
restore-prompt-after = { $verify ->
    [yes] 先校验归档；
   *[no] **不**先校验归档（verify_backup:false）；
}当前文件会被保留在一旁。{ $restarts ->
    [yes] Steward 会在恢复时停止机器人，之后再启动它。
   *[no] Steward 恢复时不会停止机器人：请在确认前先停止它。
}
restore-database-mark = 数据库
restored-title = 已从 { $id } 恢复 { $files }
restored-field-type = 恢复类型
restored-field-verified = 事先校验
restored-field-sidecars = 已移走过期的 SQLite 文件
restored-field-previous = 被替换的内容保存在
restored-start-bot = 准备好后请重新启动机器人。

## /update_schedule

schedule-added = 已添加计划 { $label }
schedule-when = { $types } { $time }
schedule-when-days = { $types } { $time }，{ $days }
schedule-installs = 安装
schedule-backs-up = 备份
schedule-keeps = 完整；保留最新的 { $count } 个
schedule-keeps-all = 完整；全部保留
schedule-field-when = 时间
schedule-field-next = 下次运行
schedule-disabled = 已停用
schedule-field-note = 备注

## /update_settings

settings-value = 值
settings-previous = 原来的值
settings-applied = 已应用

## /update_status

status-title = { $bot } 的状态
status-unknown = 未知（{ $note }）
status-bot-version = 机器人版本
status-steward-uptime = Steward 运行时间
status-since = 始于 { $at }
status-bot-uptime = 机器人运行时间
status-last-update = 最近一次更新
status-none-recorded = 无记录
status-disk = 磁盘 { $path }：{ $total } 中可用 { $free }（已用 { $used }%）
status-memory = 内存：{ $total } 中可用 { $available }；Steward { $steward } MiB
status-system = 系统
status-updates = 已结束 { $count } 次：成功 { $succeeded }，失败 { $failed }；进行中 { $running }，回滚 { $rollbacks }
    成功率 { $rate }，平均 { $mean }
status-updates-type = { $types }：{ $count }（成功 { $ok }）
status-updates-title = 更新（{ $range }）
status-backups = 备份
status-backups-text = 保留 { $count } 个，占用 { $size } MiB，失败 { $failed } 个
    最近校验：{ $verified }
status-never = 从未
status-ok = 通过
status-failed = 失败
status-session = { $types } { $status } { $at }，发起者 { $by }
status-sessions-title = 会话（{ $range }）
session-status = { $status ->
    [completed] 已完成
    [nothing] 无需操作
    [rolled-back] 已回滚
    [rollback-failed] 回滚失败
    [running] 进行中
    [stopped] 已阻止
    [cancelled] 已取消
   *[failed] 失败
}

## Progress, confirmation prompts

progress = 进度：{ $percent }% – { $step }
confirm-button = 确认
cancel-button = 取消
confirm-not-yours = 只有 { $user } 可以回答；如有需要，请自己运行该命令。
confirm-confirmed = 已确认。
confirm-cancelled = 已取消；没有做任何更改。
confirm-timed-out = { $seconds } 秒内没有回答；没有做任何更改。

## Errors

error-cannot-read = 无法读取 `{ $input }`：{ $error }
error-options-mismatch = Discord 发送了此版本 Steward 不认识的选项（{ $description }）。已注册的命令可能已过期：请重启 `steward serve` 以重新注册。
error-internal = Steward 发生内部错误；详情见其日志。
error-discord = Discord 拒绝了 Steward 的请求（{ $error }）；请重试。
error-denied-admin = 权限不足：{ $operation }仅限机器人的所有者。管理员可以检查更新、查看状态，以及创建或列出备份。
error-denied = 权限不足：{ $operation }仅限机器人的{ $audience ->
    [owners] 所有者
   *[owners-and-admins] 所有者和管理员
}。
error-invalid = { $name } 的值无效：`{ $value }` 不是 { $expected }。
error-restore-not-confirmed = 恢复会替换机器人的文件：请确认后继续（Discord 中用 confirm:true，命令行用 --yes）。
error-not-confirmed = { $what ->
    [rollback] 回滚
   *[other] { $what }
}会更改机器人：请确认后继续（Discord 中用 confirm:true，命令行用 --yes）。
error-backup-not-found = 没有名为 { $id } 的备份。`steward backup list` 可列出备份。
error-backup-busy = 另一个备份、恢复或清理正在进行；请在其完成后重试。
error-backup-name-taken = 名称“{ $name }”已被备份 { $id } 使用；请换一个。
error-backup-invalid-name = “{ $name }”不能作为备份名称：请使用 1-100 个字符，且不要以“backup_”开头。
error-in-progress-by = 已有更新正在进行：{ $by } 于 { $since } 启动（{ $doing }）。请在其完成后重试。
error-in-progress = 已有更新正在进行。请在其完成后重试。
error-no-backup = 找不到备份：没有可回滚到的已完成备份。
error-rollback-empty-target = 回滚需要一个目标：给出的版本为空。可以回滚到：{ $known }。
error-rollback-unknown-target = 回滚失败：没有从版本 { $target } 开始的更新记录，因此无处可回。可以回滚到：{ $known }。
error-settings-unknown-category = 没有设置类别“{ $given }”。有效类别：{ $valid }。
error-settings-unknown-name = { $category } 中没有设置“{ $given }”。有效的 { $category } 设置：{ $valid }。
error-settings-missing-value = { $key } 需要一个值（或将其重置为默认值）。
error-schedule-time = update_time `{ $value }` 无效：请按 24 小时制写成 HH:MM（例如 03:00）。
error-schedule-too-many = 已有 { $count } 个计划，而 scheduling.max_schedules 为 { $max }；请先删除一个。
operation-check = 检查更新
operation-install = 安装更新
operation-status = 查看更新状态
operation-rollback = 回滚
operation-schedule = 计划更新
operation-backup-create = 创建备份
operation-backup-list = 列出备份
operation-backup-restore = 恢复备份
operation-settings = 修改设置
operation-bot-control = 启动和停止机器人
operation-backup-prune = 清理备份

## Notifications

notice-work = { $key ->
    [Update] 更新
    [Rollback] 回滚
    [Scheduled-update] 计划更新
   *[other] { $what }
}
notice-started = { $what }已开始
notice-started-by = 由 { $by } 启动。
notice-progress = { $what }：{ $percent }%
notice-finished = { $status ->
    [completed] { $kind ->
        [rollback] 回滚完成
       *[install] 更新完成
    }
    [nothing] 更新：无需操作
    [rolled-back] { $kind ->
        [rollback] 回滚失败，已撤销
       *[install] 更新失败，已回滚
    }
    [rollback-failed] { $kind ->
        [rollback] 回滚失败，撤销也失败了
       *[install] 更新失败，回滚也失败了
    }
    [running] { $kind ->
        [rollback] 回滚仍在进行
       *[install] 更新仍在进行
    }
    [stopped] { $kind ->
        [rollback] 回滚被安全检查阻止
       *[install] 更新被安全检查阻止
    }
    [cancelled] { $kind ->
        [rollback] 回滚已取消
       *[install] 更新已取消
    }
   *[failed] { $kind ->
        [rollback] 回滚失败
       *[install] 更新失败
    }
}
notice-not-undone = 未撤销：{ $error }
notice-session = 会话 { $id }，发起者 { $by }。
notice-refused = { $what }未运行
notice-backup = 备份 { $id } 已创建
notice-backup-text = { $types }备份，{ $files }，压缩后 { $size }。

## issue 16: managing schedules under /update_schedule, session logs in /update_status
status-session-log = 日志：{ $command }
schedule-list-title = 计划（{ $count }/{ $max }）
schedule-list-next = 下次运行 { $at }
schedule-list-none = 没有计划。
schedule-list-no-buttons = 只有前 { $count } 个计划有按钮；其余的请用 `steward schedule` 管理。
schedule-list-zone = 时间按 { $zone } 计
schedule-button-enable = 启用 { $label }
schedule-button-disable = 停用 { $label }
schedule-button-remove = 删除 { $label }
schedule-panel-enabled = { $user } 启用了计划 { $label }。
schedule-panel-disabled = { $user } 停用了计划 { $label }。
schedule-panel-removed = { $user } 删除了计划 { $label }。

## issue 18: the fleet in /update_status
status-fleet-title = 集群 { $fleet }：{ $count } 个实例，主节点 { $leader }
status-fleet-instance = **{ $instance }**（{ $group }）：{ $version }，{ $health ->
        [running] 运行中
        [stopped] 已停止
       *[not-managed] 不由 Steward 运行
    }，最近更新 { $last }
status-fleet-wave = 批次更新 { $id }（{ $action ->
        [install] 安装 { $target }
        [rollback] 回滚到 { $target }
       *[check] 检查
    }）：{ $phase ->
        [planning] 等待主节点规划
        [running] 进行中
        [halting] 已中止，正在回滚
        [finished] 已完成
       *[halted] 已中止
    }，已完成 { $done }%
status-fleet-unreachable-title = 集群

## issue 23: the command surface a bot release changes, in /update_install
install-commands-heading = 机器人的斜杠命令将发生变化：
install-command-added = ＋ 新增：{ $subject }
install-command-removed = － 移除：{ $subject }
install-command-changed = ～ 变更：{ $subject }
install-command-permissions = ～ { $command } 的默认权限将改变

## issue 22: progress steps, safety findings, held releases, the rarer errors
progress-asking = 正在查询 { $count } 个更新源
progress-checked = 已检查 { $provider }
progress-checking = 正在检查更新
progress-planning = 正在制定计划
progress-recording-state = 正在记录当前状态
progress-pre-update-backup = 正在创建更新前备份
progress-updating = 正在更新 { $name } { $current } → { $latest }
progress-installing-new = 正在安装 { $name } { $latest }（新）
progress-testing-staged = 正在测试暂存的更新
progress-verifying = 正在验证
progress-restarting = 正在重启机器人（健康观察期）
progress-update-complete = 更新完成
progress-rolling-back = 正在回滚：{ $reason }
progress-backing-up-first = 先备份当前状态
progress-restoring-backup = 正在恢复备份 { $id }
progress-putting-back = 正在还原 { $provider }
progress-rollback-finished = 回滚完成
progress-backing-up-files = 正在备份 { $count } 个文件（{ $kind }）
progress-copying-database = 正在复制数据库 { $path }
progress-hashing-files = 正在计算 { $count } 个文件的哈希值
progress-storing-files = 正在将 { $count } 个文件存入仓库
progress-archiving = 正在归档 { $path }
progress-verifying-backup = 正在验证 { $id }
progress-pruning-backups = 正在删除超出 max_backups 或保留天数的备份
progress-backup-complete = 备份 { $id } 已完成
progress-unpacking = 正在解包 { $id }
progress-checking-database = 正在检查数据库 { $path }
progress-stopping-bot = 正在停止机器人
progress-putting-files-in-place = 正在放回 { $count } 个文件
progress-starting-bot = 正在启动机器人
progress-restored = 已从 { $id } 恢复 { $count } 个文件
check-note-cooling-down = 因 min_release_age_hours = { $hours } 暂缓（冷却至 { $until }）
safety-low-disk = 存放 { $path } 的磁盘仅剩 { $free } MiB 可用空间（safety.min_disk_space_mb = { $min }）
safety-too-large = 此次更新需下载 { $mib } MiB，超过 safety.max_update_size_mb = { $max }
safety-breaking = { $count } 项不兼容变更：{ $updates }
safety-unsigned = { $provider } 计划的 { $count } 个下载无法验证：未配置 [providers.{ $provider }] verify_key（只会校验校验和）
safety-backup-required = 未要求更新前备份，但 safety.require_backup_before_update 已开启
safety-cannot-plan = { $provider } 无法制定计划：{ $reason }
error-safety-stop = 更新在做出任何更改之前已被停止：
error-install = 更新无法运行：{ $error }
error-config = 配置有问题：{ $error }
error-providers-dir = Steward 无法使用其提供程序目录 { $path }：{ $error }
error-runtime = Steward 的提供程序沙箱无法启动：{ $error }
error-chart = 无法绘制状态图表：{ $error }
error-bot = 服务启动失败：{ $error }
error-store-locked = 另一个 steward 进程正在使用其存储 { $path }；请在其结束后重试。
error-store-newer = Steward 的存储由更新版本的 steward 写入（架构 { $found }）；请升级 steward 以读取。
error-store = 无法使用 Steward 的存储：{ $error }
error-backup-not-completed = 备份 { $id } 从未完成（{ $status ->
        [in-progress] 仍在进行中
        [completed] 已完成
       *[failed] 已失败
    }），无法使用。
error-backup-low-disk = { $path } 处磁盘空间不足：可用 { $free } MiB，需要 { $needed } MiB（包含 safety.min_disk_space_mb）。
error-backup-nothing = { $kind } 类型的备份不包含机器人目录中的任何文件；请检查 steward.toml 中的 [backup.types.{ $table }]。
error-backup-database-corrupt = 数据库 { $path } 未通过 SQLite 完整性检查（{ $error }）；没有做任何更改。
error-backup-file-changed = { $path } 在备份过程中发生了变化；请重新备份（或先停止机器人）。
error-backup-verification-failed = 备份 { $id } 未通过验证，因此未被使用：{ $problems }
error-backup-nothing-to-restore = 备份 { $id } 中没有可恢复的 { $kind } 文件。
error-backup-extract = 归档被拒绝，没有恢复任何内容：{ $reason }
error-extract-unsafe-path = 条目 { $path } 指向其解包目录之外
error-extract-forbidden-type = 条目 { $path } 是 { $kind }，此处的归档不允许包含此类条目
error-backup-swap = 恢复在 { $path } 处停止（{ $error }）；所有文件均已放回原样。
error-backup-bot-stop = 无法为恢复停止机器人（{ $error }）；没有做任何更改。
error-backup-bot-start = 机器人无法使用恢复后的文件启动（{ $error }）；已放回之前的文件。
error-backup = 备份失败：{ $error }
error-schedule-days-needed = { $kind } 计划需要 update_days：{ $problem }。
error-schedule-days = 无效的 update_days `{ $value }`：{ $problem }。
error-schedule-types = 无效的 update_types `{ $value }`：{ $problem }。
error-schedule-not-found = 没有计划 { $id }。`/update_schedule` 会列出所有计划。
error-schedule-timezone = 配置的时区“{ $name }”不是 IANA 时区（scheduling.timezone）。
error-schedule = 无法使用该计划：{ $error }。

## issue 23: the security emergency notice and its Install button
emergency-title = 安全修复：{ $advisory }（{ $severity }）
emergency-text = { $source }：{ $name } { $current } → { $latest } 修复了 { $advisory }（{ $severity }）。
emergency-install = 运行 `{ $command }` 安装，或点击“安装”（仅限所有者；安装此类型的安全修复，先做备份）。
emergency-unrated = 未评级
emergency-button = 安装
emergency-unknown-button = 此按钮属于另一个版本的 Steward；请改用 /update_install。

## issue 19: providers waiting for a grant, partial grants, the Grant and Deny buttons
check-waiting-grant = 正在等待授权，因此未被询问：它请求 { $asks }。所有者可以用其通知上的按钮或 `steward providers grant { $source }` 授权。
check-partial = 部分授权：其授权未包含 { $missing }，因此它只检查了部分内容。
grant-notice-title = 提供者 { $provider } 正在等待授权
grant-notice-text = 它请求：{ $asks }。
    在所有者授权之前它不会运行（使用下方按钮，或在服务器上运行 `steward providers grant { $provider }`）。
grant-button = 授权
deny-button = 拒绝
grant-done = { $by } 已授予 { $provider }：{ $granted }；它将从下一次检查开始运行。
grant-done-partial = { $by } 已授予 { $provider }：{ $granted }；它将从下一次检查开始运行，但只是部分：未授予 { $missing }。
grant-nothing = 无
grant-denied = { $by } 已拒绝 { $provider }：在所有者授权之前它不会运行。

## issue 17: backups as restic snapshots
backup-field-snapshot = 快照
backup-snapshot = restic 仓库 { $repository } 中的 { $snapshot }
backup-size-added = { $size }（仓库新增 { $added }）
backup-added = 新增 { $size }

## issue 23: drift from what the last update applied
notice-drift = 偏移：自上次更新以来有 { $count } 个来源发生了变化
notice-drift-source = **{ $provider }** 与会话 { $session } 应用的状态不同（{ $applied }）：
status-drift = 偏移：{ $count ->
        [0] 自上次更新以来无变化（检查于 { $checked }）
       *[other] { $count } 个来源与上次更新应用的状态不同（检查于 { $checked }）
    }
status-drift-title = 偏移

## issue 23: the impact watch
progress-measuring-impact = { $when ->
        [after] 正在测量更新后的机器人
       *[before] 正在测量更新前的机器人
    }
impact-title = 影响监测
impact-measured = CPU { $cpu_before } % → { $cpu_after } %，内存 { $rss_before } → { $rss_after }（更新前后各 { $window } 秒）
impact-memory = 内存增长了 { $percent } %
impact-cpu = CPU 占用从单核的 { $before } % 升至 { $after } %
impact-restarts = 更新后机器人重启了 { $count } 次
impact-not-running = 更新后机器人未在运行
impact-severe = 严重退化。

## issue 22 (2): the providers-changed notice, undated releases, typed failure reasons
notice-providers-changed = 提供者已变更
provider-change-loaded = { $name } { $version } 已加载
provider-change-loaded-waiting = { $name } { $version } 已加载，正在等待授权
provider-change-replaced = { $name } 已替换：已加载 { $version }
provider-change-failed = { $name } 未能加载：{ $error }
provider-change-removed = { $name } 已移除
check-undated = { $name } { $latest }：没有发布日期，因此 min_release_age_hours = { $hours } 无法暂缓它
failure-step-exit = { $provider }：步骤“{ $step }”失败：{ $program } 以退出码 { $status } 结束：{ $output }
failure-step = { $provider }：步骤“{ $step }”失败：{ $error }
failure-probation = 重启后，机器人未通过健康观察期：{ $reason }
failure-probation-tail = ；它最后的输出：
failure-bot-did-not-start = 重启后，无法启动机器人（{ $program }）：{ $error }
failure-test-gate = 测试关卡在更新上线前将其停止：{ $error }（输出见会话日志）
failure-severe-regression = 影响监测发现了严重退化：{ $regressions }（safety.impact_rollback_on_severe）
failure-not-rolled-back = （未回滚任何内容：safety.rollback_on_failure 已关闭）

## issue 19 (2): providers in /update_status
status-providers-title = 提供者
status-provider-not-loaded = 未加载：{ $line }
status-provider-waiting = { $provider } 正在等待授权：它请求 { $asks }。
status-provider-partial = { $provider } 仅部分获得授权：未授予 { $missing }。

## issue 17: backups
backup-field-password = 仓库密码
backup-password-created = Steward 已在 { $path } 中创建备份仓库的密码。请在别处保存此文件的副本：没有它，仓库中的任何备份都无法恢复。
backup-made-by-restic = （由 restic 在 { $host } 上创建：{ $paths }）

## issue 18: fleet
opt-update_check-scope = 检查范围：本主机，或集群中的每个实例（默认：host）
opt-update_install-scope = 安装范围：本主机，或以分批方式在整个集群安装（默认：host）
opt-update_rollback-scope = 回滚范围：本主机，或以分批方式在整个集群回滚（默认：host）
choice-host = 本主机
choice-fleet = 集群
fleet-off = 集群模式未开启：此 Steward 的 steward.toml 中没有 [fleet] 部分，因此它只更新自己。请去掉 scope:fleet。
fleet-question = { $action ->
        [install] 在整个集群（{ $count } 个实例）安装 { $target } 更新
        [rollback] 在整个集群（{ $count } 个实例）回滚到 { $target }
       *[check] 在整个集群（{ $count } 个实例）检查更新
    }：先更新金丝雀实例，再分批进行，每一批都要等上一批通过试用期。任何失败都会停止这一轮，并回滚已更新的实例。
fleet-progress = 集群{ $action ->
        [install] 安装 { $target }
        [rollback] 回滚到 { $target }
       *[check] 检查
    }：已完成 { $done }% 的实例
fleet-wave-title = 集群{ $action ->
        [install] 安装 { $target }
        [rollback] 回滚到 { $target }
       *[check] 检查
    }：{ $phase ->
        [finished] 已完成
        [halted] 已停止
        [halting] 已停止，正在回滚
        [planning] 等待领导者
       *[running] 进行中
    }
fleet-wave-part = { $batch ->
        [0] 金丝雀
       *[other] 第 { $batch } 批
    } · **{ $instance }**：{ $state ->
        [waiting] 等待中
        [running] 进行中
        [done] 完成
        [failed] 失败
        [undoing] 正在回滚
        [rolled-back] 已回滚
       *[undo-failed] 回滚失败
    }（{ $from } → { $to }）
fleet-wave-halted-because = 已停止：{ $why }

## issue 23: delta downloads
delivery-title = 下载
delivery-delta = 已下载 { $bytes }，完整归档为 { $archive }（节省 { $saved }）：{ $files } 个文件中下载了 { $fetched } 个，{ $reused } 个沿用自当前运行的版本
delivery-fell-back = 已下载 { $bytes }：改为下载完整归档，原因：{ $reason }
delivery-full = 已下载 { $bytes }（完整归档）

## issue 22: failure reasons
failure-separator = {"；"}
failure-restart = 重启后，{ $fault }
failure-cannot-plan = { $provider } 无法为其更新制定计划：{ $error }
failure-cannot-capture = { $provider } 无法记录其当前状态，因此未做任何更改：{ $error }
failure-pre-update-backup = 更新前备份失败，因此未做任何更改：{ $error }
failure-not-confirmed = { $provider } 无法确认此次更新：{ $error }
failure-interrupted = 已中断：Steward 在更新过程中（{ $phase ->
        [applying] 应用更改时
        [verifying] 验证时
        [probation] 机器人健康观察期间
       *[rolling-back] 回滚时
    }）停止运行；已在其下次启动时回滚
failure-interrupted-not-undone = ；以下内容无法撤销：{ $errors }
failure-journal = 无法写入事务日志：{ $error }
failure-provider-gone = 提供者 { $provider } 已不再加载，因此无法撤销其更改
failure-state-damaged = { $provider }：记录的状态已损坏：{ $error }
failure-cannot-plan-restore = { $provider } 无法制定恢复计划：{ $error }
failure-restore-refused = { $provider }：{ $error }
failure-restore-steps = { $provider }：恢复步骤失败：{ $steps }
failure-restore-step = “{ $step }”：{ $error }
failure-not-removed = { $provider }：无法删除已撤销更新的发布目录：{ $errors }
failure-database-not-restored = 从备份 { $backup } 恢复数据库失败：{ $error }
failure-old-version-not-restarted = 以旧版本重启机器人失败：{ $fault }
failure-backup-not-restored = 恢复备份 { $backup } 失败：{ $error }
failure-bot-not-restarted = 重启机器人失败：{ $fault }
failure-rollback-not-confirmed = { $provider } 未能确认此次回滚：{ $error }
failure-backup-before-rollback = 回滚前的备份失败，因此未做任何更改：{ $error }
unhealthy-exited = 它在 { $seconds } 秒后退出（{ $status }）
unhealthy-gone = 它在 { $seconds } 秒后消失（没有退出状态）
unhealthy-not-ready = { $secs } 秒内{ $missing }
unhealthy-no-ready-line = 它从未输出“{ $line }”
unhealthy-no-answer = { $url } 从未应答
unhealthy-and = {"，且"}
gate-spawn = 测试命令 { $program } 无法启动：{ $error }
gate-failed = 测试命令在 { $seconds } 秒后失败（{ $status }）
gate-timed-out = 测试命令未在 safety.test_timeout_secs = { $secs } 内完成，已被停止
bot-not-configured = Steward 不负责运行或重启此机器人：请在 steward.toml 中设置 bot.start 或 bot.restart_command
bot-spawn = 无法启动机器人（{ $program }）：{ $error }
bot-restart-command = 重启命令 { $program } 失败：{ $message }
bot-already-running = 机器人已在运行（pid { $pid }）
bot-would-not-stop = 机器人（pid { $pid }）在 SIGTERM 和 SIGKILL 之后仍未停止
bot-handoff-not-ready = 新版本未能接管：{ $exited ->
        [yes] 它在 { $secs } 秒内、创建就绪文件之前就退出了（bot.handoff = "ready-file"）（{ $status }）
       *[no] 它未在 { $secs } 秒内创建就绪文件（bot.handoff = "ready-file"）
    }；旧版本继续运行
bot-unhealthy = 机器人未通过健康观察期：{ $reason }
fault-io = { $path }：{ $error }
provider-fault-timeout = 超出了 { $secs } 秒的时间预算，已被停止
provider-fault-memory = 耗尽了 { $mb } MiB 的内存上限
provider-fault-stack = 超出了 { $kb } KiB 的栈上限
provider-fault-crashed = 已崩溃：{ $message }
provider-fault-instantiate = 无法启动：{ $message }
step-denied = { $provider } 提供者无权执行此操作：{ $reason }
step-outside-root = { $path } 位于机器人根目录 { $root } 之外；计划步骤只能更改该目录中的文件
step-steward-own = { $provider } 提供者不得更改 { $path }：它是 Steward 自己的{ $what }
step-bad-path = { $path } 不是计划步骤可用的路径：{ $why }
step-env-refused = { $provider } 提供者不得为 { $program } 设置 { $name }：{ $why }
step-not-run = 无法运行 { $program }：{ $error }
step-timeout = { $program } 未在 { $secs } 秒内完成，已被停止
step-exit = { $program } 以退出码 { $status } 结束：{ $output }
step-bad-checksum = { $value } 不是 sha256（64 个十六进制数字）
step-download = 下载 { $url } 失败：{ $error }
step-http-status = { $url } 返回了 HTTP { $status }
step-too-large = { $url } 超出了 { $limit } 字节的下载上限
step-over-safety-limit = { $url } 超出了 safety.max_update_size_mb（{ $mb } MiB）允许的大小；要安装此更新，请在 steward.toml 中调高该值
step-checksum-mismatch = { $url } 与其校验和不符：应为 sha256 { $expected }，实际为 { $actual }
step-signature-missing = { $url } 没有签名，但已为 { $provider } 提供者配置了验证密钥
step-signature-unusable = { $url } 的签名无法使用：{ $error }
step-signature-invalid = { $url } 的签名无法用已配置的密钥验证：{ $error }
step-unpack = 无法安全解包 { $url }：{ $error }
step-destination-exists = { $path } 已存在；发布目录绝不会解包到另一个之上
step-not-replaceable = { $path } 是{ $what }；Steward 只替换它管理的普通文件和符号链接
step-target-missing = { $link } 应指向的发布版本 { $target } 不存在
status-session-reason = 原因：{ $reason }
failure-stopped = 已被安全检查阻止：{ $findings }
failure-cancelled = { $unanswered ->
        [yes] 确认提示未获回应；未做任何更改
       *[no] 已在确认提示处取消；未做任何更改
    }

## issue 23: blue-green
switch-title = 切换
switch-handoff = 蓝绿切换：无就绪进程的时间为 { $ms } 毫秒
switch-restart = 重启：无就绪进程的时间为 { $ms } 毫秒
switch-drained = 旧进程已处理完剩余请求并退出。
switch-killed = 旧进程未在停止超时内退出，已被强制终止。

## issue 17: offsite copies
notice-offsite-failed = 异地副本复制到 { $target } 失败
notice-offsite-failed-text = { $error }。备份 { $id } 在本地已完成；下次备份时将重试复制。

## issue 22: notes and fleet errors
note-backups-off = 备份已关闭（backup.enabled = false）：没有进行更新前备份
note-not-checked = 无法检查 { $provider }，保持原样不变：{ $error }
note-no-restart-configured = 此更新需要重启机器人，但 steward.toml 中既没有 bot.start 也没有 bot.restart_command：请自行重启机器人
note-not-restarted = 按要求未重启机器人：更新将在它下次启动时生效
note-forced-past = 已强制越过：{ $finding }
note-delivery-not-kept = 无法保存下载与切换的数据：{ $error }
note-impact-not-kept = 无法保存影响监测的结果：{ $error }
note-regression = 影响监测在更新后发现了性能退化（具体数据见“影响监测”）
outcome-restored-backup = 已恢复备份 { $id }
fleet-error-unreachable = 集群模式已开启，但 etcd 在 { $endpoints } 没有响应（{ $reason }）。未做任何更改；请在 etcd 恢复后重试。
fleet-error-denied = etcd 拒绝了 Steward 的凭据（用户 { $user } 来自 [fleet.auth]，密码来自 ${ $password_env }）：{ $reason }。未做任何更改；请检查用户名和密码。
fleet-error-busy = 集群正忙：{ $holder }。整个集群同一时间只运行一个更新；请在它完成后重试（/update_status 可查看）。
fleet-error-unreadable = 无法读取 etcd 中的集群记录 { $key }（{ $reason }）；它是否由其他版本的 Steward 写入？
fleet-error-wave-vanished = 批次 { $id } 已不在 etcd 中（既未在运行，也不是最近结束的那个）；/update_status 可查看现有内容。
fleet-error-not-promoted = 分组 { $group } 只有在 { $after } 之后才会升级（fleet.promotion）：{ $why }。没有启动任何操作。
fleet-error-timed-out = 已放弃等待 { $waited_for }。{ $withdrawn ->
        [yes] 该批次在任何实例收到指令之前已被撤回：未做任何更改。
       *[no] 该批次保留在 etcd 中的当前位置；下一个主节点会继续执行或将其回滚（/update_status 可查看）。
    }
fleet-error-no-such-group = 集群中没有注册属于分组 { $group } 的实例（现有分组：{ $known }）。没有启动任何操作。
fleet-error-setup = 集群模式无法启动：{ $message }
error-lock-unusable = 更新无法运行：Steward 无法使用它的更新锁 { $path }：{ $error }
error-journal = 更新无法运行：Steward 无法写入事务日志：{ $error }

## issue 23: error rate
## The impact watch's error rate, read from the health URL's JSON counters.
impact-errors-per-minute = 错误率：每分钟 { $before } → { $after } 个错误
impact-errors-per-request = 错误率：失败请求占 { $before } % → { $after } %
impact-errors-not-exposed = 错误率：健康检查 URL 未提供
impact-errors-not-compared = 错误率：未比较（健康检查 URL 只在一个时间窗口内提供了它，或计数方式不同）
impact-error-rate = 错误率从每分钟 { $before } 个升至 { $after } 个
impact-error-rate-requests = 失败请求的比例从 { $before } % 升至 { $after } %

## issue 22: backup and fleet details
backup-detail-busy = 另一个备份或恢复正在进行
backup-detail-low-disk = { $path } 处仅剩 { $free } MiB 可用空间，需要 { $needed } MiB
backup-detail-nothing = { $kind }备份不包含任何文件
backup-detail-database-corrupt = 数据库 { $path } 未通过完整性检查：{ $error }
backup-detail-file-changed = { $path } 在备份过程中发生了变化
backup-detail-verification-failed = 备份 { $id } 未通过校验：{ $problems }
backup-detail-not-found = 没有名为 { $id } 的备份
backup-detail-nothing-to-restore = 备份 { $id } 中没有可恢复的{ $kind }文件
backup-detail-swap = 将 { $path } 放回原处失败（{ $error }）；所有文件均已还原
backup-detail-bot-stop = 无法停止机器人：{ $error }
backup-detail-bot-start = 恢复后机器人未能启动（{ $error }）；之前的文件已放回
fleet-why-no-instance = 集群中没有注册任何 { $after } 实例
fleet-why-not-healthy = { $after } 实例 { $instance } 尚未报告其机器人健康
fleet-why-mixed-releases = { $after } 的实例运行着不同的版本（{ $releases }）
fleet-why-soaking = { $version } 已在 { $after } 上健康运行 { $soaked }，需要 { $soak }；还剩 { $left }
fleet-why-two-releases = 它将获得 { $version }，但 { $other } 在同一批次中将获得 { $other_version }；请一次只安装一个分组（--group）
fleet-waited-plan = 主节点规划批次 { $wave }，已等待 { $secs } 秒（fleet.wave_timeout_seconds）：{ $leader }
fleet-waited-carry-on = 主节点继续执行批次 { $wave }：它已 { $secs } 秒没有进展（fleet.wave_timeout_seconds），且{ $leader }；当前状态：{ $stands_at }
fleet-leader-nobody = 没有实例担任集群主节点
fleet-leader-registered = { $id } 担任集群主节点
fleet-leader-unregistered = etcd 中集群的选举由 { $id } 持有，但它不是已注册的实例
error-install-needs-lock = 安装需要持有更新锁

## issue 23: drift baseline
## A source Steward never updated is compared with its state at the first check.
notice-drift-source-baseline = **{ $provider }** 与首次检查时（{ $taken }）记录的基线不同（Steward 尚未更新过它）：

## issue 22: fleet and backup errors
fleet-halt-no-instance = 集群中没有注册任何实例
fleet-halt-no-instance-of-group = 集群中没有注册分组 { $group } 的任何实例
fleet-halt-part-failed = { $canary ->
        [yes] 金丝雀实例
       *[no] 实例
    } { $instance } 失败：{ $why }
fleet-part-silent = 未在 { $secs } 秒内报告
fleet-standing-action = { $action ->
        [install] 安装 { $target }
        [rollback] 回滚到 { $target }
       *[check] 检查
    }
fleet-standing-pinned = { $action }（固定为 { $version }）
fleet-standing-in-group = { $action }（分组 { $group }）
fleet-standing-planning = 集群{ $action }：等待主节点规划批次
fleet-standing-canary-batch = 金丝雀批
fleet-standing-batch = 第 { $number } 批，共 { $count } 批
fleet-standing-member = { $instance } { $state ->
        [waiting] 等待中
        [running] 进行中
        [done] 完成
        [failed] 失败
        [undoing] 正在回滚
        [rolled-back] 已回滚
       *[undo-failed] 回滚失败
    }
fleet-list-separator = {"、"}
fleet-standing-running = 集群{ $action }：{ $batch }：{ $members }
fleet-standing-halting = 集群{ $action }已停止（{ $why }）；正在回滚它已更新的实例
fleet-standing-finished = 集群{ $action }：已完成
fleet-standing-halted = 集群{ $action }：已停止：{ $why }
fleet-standing-part-failed = 有部分失败
fleet-occupant-update = { $by } 自 { $since } UTC 起正在实例 { $instance } 上执行{ $doing ->
        [install] 安装
       *[rollback] 回滚
    }
fleet-occupant-wave = 批次 { $id }（{ $action }）由 { $by } 于 { $at } UTC 发起，正在进行中
fleet-occupant-unknown = 另一个更新持有集群锁
restore-path-symlink = { $path } 是符号链接，恢复绝不会通过符号链接写入
restore-path-in-the-way = { $path } 处是{ $found ->
        [nothing] 空的
        [a-file] 一个文件
        [a-directory] 一个目录
        [a-symbolic-link] 一个符号链接
       *[a-special-file] 一个特殊文件
    }，而备份需要{ $wanted ->
        [a-file] 一个文件
       *[a-directory] 一个目录
    }
restore-path-not-relative = { $path } 不是普通的相对路径
error-extract-staging = 无法创建暂存目录 { $path }：{ $error }
error-extract-truncated = 归档不完整（被截断）
error-extract-corrupt = 归档已损坏：{ $error }
error-extract-pax-size = 条目 { $path }：其 PAX 大小 { $pax } 与头部大小 { $header } 不一致
error-extract-duplicate = 条目 { $path } 出现了两次
error-extract-too-large = 归档解包后超过 { $limit } 字节
error-extract-too-many = 归档包含超过 { $limit } 个条目
error-extract-write = 无法写入 { $path }：{ $error }
backup-detail-dir = 无法准备备份目录 { $path }：{ $error }
backup-detail-read = 无法读取 { $path }：{ $error }
backup-detail-write = 无法写入 { $path }：{ $error }
backup-detail-wrong-password = 该密码无法打开备份仓库 { $path }（[backup] password_file 或 { $env }）；未做任何更改
backup-detail-no-password = 备份仓库 { $path } 已存在，但未配置密码：请设置 [backup] password_file 或 { $env }
backup-detail-repository = 无法使用备份仓库 { $path }：{ $error }
backup-removed-beyond-max = 超出 max_backups（{ $max }）
backup-removed-older = 早于 backup_retention_days（{ $days } 天）
backup-removed-failed-attempt = 超过保留期限的失败尝试
backup-removed-beyond-schedule = 超出此计划保留的 { $keep } 个

## issue 17: offsite on Discord
backup-field-offsite = 异地副本
backup-offsite-copying = 正在复制到 { $targets }…
backup-offsite-copied = { $target }：已复制 { $count } 个并在那里校验
backup-offsite-copied-forgotten = { $target }：已复制 { $count } 个并在那里校验，因本地已清理而在那里移除 { $forgotten } 个
backup-offsite-failed = { $target }：复制失败（{ $error }）。本地备份已完成；下次备份时将重试复制。
backup-where = 位置：{ $places }
backup-place-local = 本地
backup-place-failed = { $target }（复制失败，将重试）
backup-place-nowhere = 无处：快照已丢失

## issue 22: verification problems
verify-problem-archive-checksum = 归档的 sha256 与创建时记录的不一致
verify-problem-archive-unreadable = 无法读取归档：{ $error }
verify-problem-archive-open = 无法打开归档：{ $error }
verify-problem-archive-entry = 归档：{ $error }
verify-problem-archive-empty = 归档为空
verify-problem-first-not-manifest = 第一个条目是“{ $found }”，而不是清单 { $manifest }
verify-problem-manifest-not-first = 清单不是第一个条目
verify-problem-manifest-too-large = 清单大得不合理
verify-problem-manifest-unreadable = 无法读取清单：{ $error }
verify-problem-manifest-invalid = 清单无效：{ $error }
verify-problem-other-backup = 该归档属于备份 { $found }，而不是 { $expected }
verify-problem-belongs-to = 该归档属于备份 { $found }
verify-problem-file-unreadable = { $path }：{ $error }
verify-problem-not-in-manifest = { $path } 在归档中，但不在其清单中
verify-problem-size-differs = { $path }：归档中为 { $archive } 字节，清单中为 { $manifest } 字节
verify-problem-content-differs = { $path }：内容与清单中的校验和不一致
verify-problem-missing-from-archive = { $path } 列在清单中，但归档中缺失
verify-problem-listed-twice = { $path } 在清单中出现了 { $times } 次
verify-problem-not-plain = 清单中的“{ $path }”不是普通的相对路径
verify-problem-file-and-dir = { $dir } 作为文件列出，但清单中还列出了其中的 { $path }
verify-problem-leaves-root = { $path }：该路径超出了机器人的根目录
verify-problem-symlink = { $path }：拒绝符号链接
verify-problem-special = { $path }：拒绝设备、FIFO 或套接字（只恢复普通文件和目录）
verify-problem-foreign-paths = 该快照由 restic 从 { $paths } 创建，而不是从机器人的根目录 { $root }：请改用 `restic restore` 恢复
verify-problem-snapshot-check = 快照 { $snapshot }：{ $finding }
verify-problem-tree-damaged = 快照 { $snapshot }：{ $dir } 的树在数据包 { $pack } 中已损坏（{ $cause }）
verify-problem-tree-unindexed = 快照 { $snapshot }：{ $dir } 的树不在索引中（{ $cause }）
verify-problem-file-damaged = { $path }：在仓库中已损坏（{ $cause }）
verify-problem-unchecked = 无法运行检查：{ $error }
verify-problem-drill-failed = 恢复演练：{ $error }
verify-problem-drill-needs-local = 恢复演练：未运行，本地仓库缺少该快照（恢复时会先从异地目标取回）
verify-problem-database = 数据库 { $path }：{ $message }
verify-problem-offsite-damaged = 异地目标 { $target }（{ $location }）：副本未通过那里的检查：{ $cause }
verify-problem-offsite-missing = 异地目标 { $target }（{ $location }）：没有备份 { $id } 的副本
verify-problem-offsite-unchecked = 无法检查异地目标 { $target }：{ $error }
verify-problem-no-sound-copy = 备份 { $id } 不在本地仓库中，且没有任何异地目标持有完好的副本
verify-problem-more = 以及另外 { $count } 个问题

## issue 17: copies in status
status-copies-failed-title = 异地副本复制失败
status-copy-failed = **{ $target }** 缺少 { $count ->
        [one] 备份 { $backups }
       *[other] { $count } 个备份：{ $backups }
    }；将在下次复制时重试。{ $error }
status-copy-failed-more = { " " }等另外 { $count } 个

## issue 22: fleet rollback silence
fleet-part-rollback-silent = 其回滚未在 { $secs } 秒内报告

## issue 22: restore problems
restore-undo-place-failed = 将 { $path } 放到位失败（{ $error }）
restore-undo-bot-did-not-start = 恢复后机器人未能启动（{ $error }）

## issue 22: last frames
## A backup's failure with no sentence of its own, framed by what was being done.
error-backup-failed = { $operation ->
        [restore] 恢复失败：{ $error }
        [rollback] 回滚失败：{ $error }
        [list] 无法列出备份：{ $error }
       *[backup] 备份失败：{ $error }
    }
backup-detail-pattern = 备份模式 { $pattern } 不是有效的通配符：{ $error }
backup-detail-database-copy = 无法复制数据库 { $path }：{ $error }
backup-detail-in-the-way = { $problem }；未做任何更改
backup-detail-conflicting-paths = 无法逐个文件放回该备份（{ $problems }）；未做任何更改
backup-detail-not-put-back = { $cause }，而且放回之前的文件也失败了（{ $problems }）：它们保存在 { $kept }，steward 下次启动时会将其放回
backup-detail-import-needs-repository = 导入归档需要使用仓库：请设置 [backup] format = "restic"
backup-detail-exists = 备份 { $id } 已在仓库中
check-note-separator = {"；"}
## Why an offsite copy failed; what the target's backend said stays as given.
offsite-fault-target = 异地目标 { $target }（{ $location }）：{ $why }
offsite-fault-local-repository = 本地仓库：{ $error }
offsite-why-password-env-unset = 环境变量 { $var }（password_env）未设置
offsite-why-password-file-unreadable = 无法读取 password_file { $path }：{ $error }
offsite-why-password-file-empty = password_file { $path } 为空
offsite-why-path-not-utf8 = 该路径不是 UTF-8 编码
offsite-why-wrong-password = 本地仓库的密码无法打开那里的仓库（是在别处创建的仓库吗？）
offsite-why-no-repository = 那里没有仓库
offsite-why-copy-lock = 无法获取 { $dir } 中的复制锁：{ $error }
offsite-why-not-listed = 复制后，已复制的 { $copied } 个快照中有 { $missing } 个未在那里列出
offsite-why-check-failed = 副本未通过那里的检查：{ $error }
offsite-why-no-copy = 那里没有副本
backup-detail-not-brought-back = 无法使用备份仓库 { $path }：备份 { $id } 不在本地仓库中，且没有任何异地目标将其取回（{ $tried }）

## issue 22: last words
## Steward 对异地后端故障的判断；服务器或系统自己的原话保持不变。
offsite-cause-unreachable = 无法连接到服务器（{ $error }）
offsite-cause-timed-out = 服务器未及时响应
offsite-cause-credentials-refused = 服务器拒绝了凭据（HTTP { $status }）：请检查 user 以及 password_env 或 password_file
offsite-cause-access-denied = 访问被拒绝，请检查凭据
offsite-cause-access-denied-detail = 访问被拒绝，请检查凭据：{ $detail }
offsite-cause-status = 服务器返回了 HTTP { $status }
offsite-cause-missing = 服务器上没有 { $path }
## 列举名称（设置、目标、文件、更新）时使用的分隔符。
names-separator = {"、"}
## 恢复未完成的备份，以及无法解包的归档。
backup-detail-not-completed = 备份 { $id } { $status ->
        [InProgress] 仍在进行中
        [Failed] 已失败
       *[other] 的状态为 { $named }
    }，尚未完成
backup-detail-extract-staging = 无法创建暂存目录 { $path }：{ $error }
backup-detail-extract-truncated = 归档被截断
backup-detail-extract-corrupt = 归档已损坏：{ $error }
backup-detail-extract-unsafe-path = 条目 { $quoted } 的路径不安全（绝对路径、包含 `..` 或为空）
backup-detail-extract-forbidden-type = 条目 { $quoted } 是{ $entry ->
        [symbolic-link] 符号链接
        [hard-link] 硬链接
        [character-device] 字符设备
        [block-device] 块设备
        [named-pipe] 命名管道
        [sparse-file] 稀疏文件
       *[other] 特殊条目
    }；只接受普通文件和目录
backup-detail-extract-pax-size = 条目 { $quoted }：其 PAX 大小 { $pax } 与文件头中的大小 { $header } 不一致
backup-detail-extract-duplicate = 条目 { $quoted } 出现了两次
backup-detail-extract-too-large = 归档解包后超过 { $limit } 字节
backup-detail-extract-too-many = 归档包含超过 { $limit } 个条目
backup-detail-extract-write = 无法写入 { $path }：{ $error }
## 异地副本检查发现的问题，每条均为 rustic 的原话。
verify-problem-offsite-findings = 异地目标 { $target }（{ $location }）：副本未通过那里的检查：{ $findings }

## issue 22: expected values
expected-version-or-last-backup = 版本号或 last_backup
expected-range = { $min } 到 { $max } 之间的数字
expected-local-absolute-path = 来自本机 shell 或控制套接字的绝对路径
expected-config-file = Steward 以默认设置运行时可执行的操作；请用 --config 启动它
expected-one-of = 以下之一：{ $values }
expected-bool = true 或 false
expected-only-value = { $value }（唯一支持的值）
expected-whole-number = { $min } 到 { $max } 之间的整数
expected-time = HH:MM 格式的时间（24 小时制，例如 03:00）
expected-directory = 已存在或其上级目录已存在的目录（相对于 steward.toml）
expected-update-types = 以下一项或多项，用逗号分隔：{ $values }
expected-channel-ids = 用逗号分隔的 Discord 频道 ID（或 none）
expected-timezone = IANA 时区名，例如 UTC 或 Europe/Berlin

## issue 22: grant refusals
error-grant = 未授予提供者 { $provider } 任何权限：{ $reason }。
grant-refusal-none = 无
grant-refusal-not-asked = 它没有请求运行 { $path }（它请求运行：{ $asked }）
grant-refusal-did-not-load = 它未能加载（{ $error }）
grant-refusal-no-such-provider = 没有这个提供者（现有提供者：{ $known }）
grant-refusal-invalid = 授权检查未通过：{ $problem }

## issue 22: supervisor, choices, offsite, fleet
choice-noun-update-type = 更新类型
choice-noun-backup-type = 备份类型
choice-noun-restore-type = 恢复类型
choice-noun-time-range = 时间范围
choice-noun-sort-order = 排序方式
choice-noun-setting-category = 设置类别
choice-noun-schedule-type = 计划类型
choice-noun-status-range = 时间范围
choice-noun-scope = 范围

fleet-answer-checked = 有 { $offered } 个可用更新{ $failed ->
        [0] {""}
       *[other] ，{ $failed } 个提供者失败
    }
fleet-answer-session = { $status ->
        [completed] 已完成
        [nothing_to_do] 无需更新
        [rolled_back] 已回滚
        [failed] 失败
        [rollback_failed] 回滚失败
        [running] 运行中
        [stopped] 已停止
        [cancelled] 已取消
       *[other] { $status }
    }
fleet-answer-session-why = { $status ->
        [completed] 已完成
        [nothing_to_do] 无需更新
        [rolled_back] 已回滚
        [failed] 失败
        [rollback_failed] 回滚失败
        [running] 运行中
        [stopped] 已停止
        [cancelled] 已取消
       *[other] { $status }
    }：{ $why }
fleet-answer-no-session = 没有记录任何会话
fleet-answer-pinned-other = 此处提供的机器人版本是 { $offered }，但本轮已固定为 { $pinned }（已晋级的版本）；未做任何更改
fleet-answer-pinned-not-offered = 此处没有提供机器人 { $pinned }（已晋级的版本）（机器人运行的是 { $running }）；未做任何更改
fleet-answer-unknown-version = 未知版本

## issue 22: configuration problems
config-read = 无法读取 { $path }：{ $error }
config-invalid = { $path } 无效：{ $problem }
config-parse-at = TOML 解析失败（第 { $line } 行第 { $column } 列）：{ $error }
config-parse = TOML 解析失败：{ $error }
config-http-listen = control.http.listen：{ $value } 不是“地址:端口”（{ $error }）
config-http-rate-limit-zero = control.http.rate_limit_per_minute 至少为 1
config-http-token-name = control.http.tokens：每个令牌都需要一个独有的名称（{ $name }）
config-http-token-secret = control.http.tokens { $name }：token_env 与 token_file 必须且只能设置其一
config-http-token-scope = control.http.tokens { $name }：未知的权限范围 { $scope }（应为 { $known } 之一，或 install:类型）
config-log-rotation-size = logging.log_rotation_size：{ $value } 不是大小；请写字节数，或如 "10MB" 这样的大小
config-pid-file-needs-restart-command = bot.pid_file 仅用于由 bot.restart_command 运行的机器人：使用 bot.start 时 Steward 自己知道进程号
config-handoff-needs-start = bot.handoff 需要 bot.start：只有由 Steward 自己运行机器人时，才能在旧版本旁启动新版本
config-start-and-restart-command = bot.start 与 bot.restart_command 互斥：Steward 要么自己运行机器人，要么请另一个管理器重启它
config-runtime-limit-zero = runtime 的各项限制必须大于零
config-stack-limit-too-large = runtime.stack_limit_kb 最多为 65536
config-confirm-timeout = discord.confirm_timeout_seconds 必须在 1 到 600 之间，而不是 { $value }
config-discord-locale = discord.locale 必须是 Discord 使用的语言标记（en-US、zh-CN、de），而不是 { $value }
config-discord-api-base = discord.api_base 必须以 http:// 或 https:// 开头，而不是 "{ $value }"
config-http-concurrency-zero = runtime.http_concurrency 至少为 1
config-http-batch-limit-zero = runtime.http_batch_limit 至少为 1
config-http-cache-limit-zero = runtime.http_cache_limit_mb 至少为 1（或设置 http_cache = false）
config-registry-max-age = runtime.registry_max_age_secs 最多为 86400（一天），而不是 { $value }
config-auto-updates-contradiction = general.auto_updates_enabled = true 与 general.auto_updates = "{ $mode }" 相矛盾：请只保留一个
config-test-command-empty = safety.test_command 必须以要运行的程序开头
config-test-timeout-zero = safety.test_timeout_secs 至少为 1
config-signature-keys-missing = providers.require_signature 需要在 providers.signature_keys 中至少有一个 minisign 公钥
config-signature-key = providers.signature_keys：不是 minisign 公钥（应为 minisign .pub 文件中的 base64 那一行，或整个文件）：{ $error }
config-provider-verify-key = providers.{ $provider }.verify_key：不是 minisign 公钥（应为 minisign .pub 文件中的 base64 那一行，或整个文件）：{ $error }
config-bot-command-empty = bot.start / bot.restart_command 至少需要写出程序
config-health-url = bot.health.health_url 必须以 http:// 或 https:// 开头，而不是 "{ $value }"
config-ready-timeout-zero = bot.health.ready_timeout_secs 至少为 1
config-bot-env = bot.env：{ $name } = { $value } 不能作为环境变量（名称不能为空且不能含 "="；两者都不能含 NUL）
config-compression-level = backup.compression_level 必须在 0 到 9 之间，实际为 { $value }
config-max-backups-zero = backup.max_backups 至少为 1
config-log-level = logging.level 必须是 { $known } 之一，而不是 "{ $value }"
config-log-counts-zero = logging.max_log_files 和 logging.max_session_logs 至少为 1
config-setting = { $key }：{ $value } 无效（应为 { $expected }）
config-backup-glob = backup.types.{ $scope }：{ $pattern } 不是有效的通配模式：{ $error }
config-backup-glob-outside = backup.types.{ $scope }：{ $pattern } 必须位于机器人根目录之下
config-bot-root-unset = 未设置 {"["}bot] root：请写明 Steward 所管理的机器人目录（root = "/srv/mybot"），或传入 --bot-root
config-bot-root-unusable = 机器人根目录 { $root } 无法使用：{ $error }
config-bot-root-not-directory = 机器人根目录 { $root } 不是目录
config-bot-root-system = 机器人根目录 { $root } 是系统目录；请把 [bot] root 指向机器人自己的目录
config-data-under-system = Steward 的数据目录 { $data } 位于系统目录之下；请设置 [paths] data
config-data-overlaps-bot = Steward 的数据目录 { $data } 与机器人根目录 { $root } 相互重叠；请将它们分开，或设置 [paths] allow_inside_bot = true
config-grant-write-not-absolute = providers.{ $provider }.grant.write："{ $entry }" 必须是绝对路径（或以 {"{"}bot{"}"} 开头），且不含 `..`
config-grant-write-over-own = providers.{ $provider }.grant.write："{ $entry }" 会让提供者修改 Steward 自己的{ $what }（{ $path }）；只授予它要更新的机器人文件
config-grant-unknown-argument-type = providers.{ $provider }.grant.{ $key }：Steward 不认识参数类型 { $pattern }；它认识的有：{ $known }
config-typed-pattern = { $name }（{ $what }）
config-typed-pip-pin = Python 分发包名、`==` 和版本号
config-typed-pip-name = Python 分发包名
config-typed-npm-pin = npm 包名、`@` 和版本号
config-typed-npm-range = npm 包名、`@` 和版本号，版本号前可带 `^` 或 `~`
config-typed-apt-pin = Debian 软件包名、`=` 和版本号
config-typed-apt-name = Debian 软件包名
config-own-data-directory = 数据目录
config-own-providers-directory = 提供者目录
config-own-compile-cache = 编译缓存
config-own-backup-directory = 备份目录
config-own-update-logs = 更新日志
config-own-configuration-file = 配置文件
config-offsite = 异地副本目标 {"["}backup.offsite.{ $target }]：{ $problem }
config-offsite-bad-name = 目标名称只能由字母、数字、'-' 和 '_' 组成，且不能是 "local"
config-offsite-both-secrets = password_env 与 password_file 只能设置其一
config-offsite-path-needs-path = kind = "path" 需要 path = "目录"
config-offsite-path-takes-only-path = kind = "path" 只接受 path 和 when
config-offsite-rest-needs-url = kind = "rest" 需要 url = "http(s)://主机:端口/路径"
config-offsite-url-scheme = url 必须以 http:// 或 https:// 开头
config-offsite-url-credentials = url 中不能包含凭据：请设置 user 以及 password_env 或 password_file
config-offsite-rest-takes-url = kind = "rest" 接受 url，而不是 path
config-offsite-password-needs-user = 设置密码时需要 user = "名称"
config-offsite-sftp-needs = kind = "sftp" 需要 host、user 和 path（服务器上的目录）
config-offsite-sftp-takes = kind = "sftp" 只接受 host、port、user、path、key_file 和 when（仅支持密钥认证）
config-offsite-s3-needs = kind = "s3" 需要 bucket、user（访问密钥 ID）以及 password_env 或 password_file（私有密钥）
config-offsite-endpoint-credentials = endpoint 中不能包含凭据
config-offsite-unknown-kind = kind { $kind } 不是 "path"、"rest"、"sftp"、"s3" 之一
config-fleet-no-endpoints = fleet.endpoints 为空：请写出 etcd 的客户端地址
config-fleet-endpoint-scheme = fleet.endpoints：{ $endpoint } 必须以 http:// 或 https:// 开头
config-fleet-endpoint-needs-tls = fleet.endpoints：{ $endpoint } 使用 https://，但 [fleet.tls] 没有指定 ca_file
config-fleet-bad-name = { $key } { $value } 必须由 1 到 64 个字母、数字、'-'、'_' 或 '.' 组成
config-fleet-max-unavailable-zero = fleet.max_unavailable 至少为 1
config-fleet-lease-seconds = fleet.lease_seconds 必须在 2 到 300 之间，而不是 { $value }
config-fleet-timeout-zero = fleet.request_timeout_seconds、fleet.instance_timeout_seconds 和 fleet.wave_timeout_seconds 至少为 1
config-fleet-promotion-name = fleet.promotion：{ $group } 在 { $after } 之后：组名必须由 1 到 64 个字母、数字、'-'、'_' 或 '.' 组成
config-fleet-promotion-self = fleet.promotion：{ $group } 不能等待它自己
config-fleet-tls-pair = {"["}fleet.tls] 需要同时设置 cert_file 和 key_file，或都不设置
config-fleet-auth-incomplete = {"["}fleet.auth] 需要 user 和 password_env
