"""Words for wrong codes and lock-outs (every live process) and for withdrawing a meeting's result, in English and
Chinese."""

EN: dict[str, str] = {
    # ---- refusals of a code check made for a browser session (reason locked / locked_session), per page prefix
    "mt.err.locked": "Too many wrong codes were tried here, so new phones are refused for now. Ask the facilitator "
                     "to lift the lock-out, or try again within the hour.",
    "mt.err.locked_session": "Too many wrong codes from this phone. Wait 10 minutes, or ask the facilitator for "
                             "help.",
    "ws.err.locked": "Too many wrong workshop codes were tried, so new phones are refused for now. Ask the "
                     "facilitator to lift the lock-out, or try again within the hour.",
    "ws.err.locked_session": "Too many wrong codes from this phone. Wait 10 minutes, or ask the facilitator for "
                             "help.",
    "rt.err.locked": "Too many wrong round codes were tried, so new tablets are refused for now. Ask the lead to "
                     "lift the lock-out, or try again within the hour.",
    "rt.err.locked_session": "Too many wrong codes from this tablet. Wait 10 minutes, or ask the lead for help.",
    "dp.err.locked": "Too many wrong study codes were tried, so new devices are refused for now. Ask the "
                     "facilitator to lift the lock-out, or try again within the hour.",
    "dp.err.locked_session": "Too many wrong codes from this device. Wait 10 minutes, or ask the facilitator for "
                             "help.",

    # ---- the facilitator's notice of a lock-out
    "codes.lock.target": "New phones are refused: {n} wrong voting codes were tried in the last hour (the limit is "
                         "{limit}). They can join again at {until} UTC, or now if you lift the lock-out.",
    "codes.lock.unknown": "New phones are refused for every meeting: {n} codes that name no meeting were tried in "
                          "the last hour (the limit is {limit}). They can join again at {until} UTC, or now if you "
                          "lift the lock-out.",
    # the same for the processes whose codes name no meeting (the page's prefix picks them)
    "codes.lock.unknown.rt": "New tablets are refused for every rating round: {n} codes that name no round were "
                             "tried in the last hour (the limit is {limit}). They can join again at {until} UTC, or "
                             "now if you lift the lock-out.",
    "codes.lock.unknown.dp": "New experts are refused for every Delphi study: {n} codes that name no study were tried "
                             "in the last hour (the limit is {limit}). They can join again at {until} UTC, or now if "
                             "you lift the lock-out.",
    "codes.lock.unknown.ws": "New phones are refused for every workshop: {n} codes that name no workshop were tried in "
                             "the last hour (the limit is {limit}). They can join again at {until} UTC, or now if you "
                             "lift the lock-out.",
    "codes.lock.sessions": "Phones locked after 5 wrong codes in 10 minutes: {n}.",
    "codes.lock.counted": "Wrong voting codes in the last hour: {n} of {limit} allowed.",
    "codes.lift": "Lift the lock-out",
    "codes.lift_help": "Let new phones enter codes again, and free the phones that are locked. Each lift gives a "
                       "guesser another 50 tries: lift when the wrong codes came from people in the room.",
    "codes.lifted": "The lock-out is lifted.",

    # ---- withdrawing a meeting's result
    "mt.err.withdrawn": "The result of meeting {code} was withdrawn.",
    "mt.err.not_revealed": "Meeting {code} has no revealed result to withdraw.",
    "mt.err.no_reason": "Say why the result is withdrawn: the history keeps the reason.",
    "mt.state.withdrawn": "The result was withdrawn: the feedback records its reveal wrote are deleted, so every "
                          "score is as it was before the reveal. The votes stay hidden.",
    "mt.withdraw": "Withdraw the result",
    "mt.withdraw_intro": "Withdrawing deletes the {rows} feedback records this meeting's reveal wrote, so every "
                         "station's score and rank go back to what they were before the reveal. The history keeps "
                         "both the reveal and the withdrawal. It cannot be undone, and the meeting cannot be "
                         "revealed again.",
    "mt.withdraw_reason": "Reason (kept in the history)",
    "mt.withdraw_by": "Your name",
    "mt.withdraw_confirm": "I understand: the result is withdrawn for good",
    "mt.withdraw_button": "Withdraw",
    "mt.withdraw_unconfirmed": "Tick the box to confirm, and give a reason.",
    "mt.withdrawn_done": "The result is withdrawn: {rows} feedback records deleted.",
    "mt.history": "History of the result",
    "mt.event.reveal": "Revealed",
    "mt.event.withdraw": "Withdrawn",
    "mt.col.event": "What",
    "mt.col.at": "When (UTC)",
    "mt.col.by": "By",
    "mt.col.reason": "Reason",
    "mt.col.rows": "Feedback records",
}

ZH: dict[str, str] = {
    "mt.err.locked": "此处输错的代码过多，新手机暂时无法进入。请主持人解除锁定，或一小时内再试。",
    "mt.err.locked_session": "这部手机输错代码次数过多。请等10分钟，或请主持人帮忙。",
    "ws.err.locked": "输错的工作坊代码过多，新手机暂时无法进入。请主持人解除锁定，或一小时内再试。",
    "ws.err.locked_session": "这部手机输错代码次数过多。请等10分钟，或请主持人帮忙。",
    "rt.err.locked": "输错的评分轮次代码过多，新平板暂时无法进入。请组长解除锁定，或一小时内再试。",
    "rt.err.locked_session": "这台平板输错代码次数过多。请等10分钟，或请组长帮忙。",
    "dp.err.locked": "输错的咨询代码过多，新设备暂时无法进入。请主持人解除锁定，或一小时内再试。",
    "dp.err.locked_session": "这台设备输错代码次数过多。请等10分钟，或请主持人帮忙。",

    "codes.lock.target": "新手机暂时无法进入：过去一小时内有{n}次输错投票码（上限{limit}次）。"
                         "北京时间{until}起可再次进入，解除锁定则立即可以。",
    "codes.lock.unknown": "所有评议会的新手机暂时无法进入：过去一小时内有{n}次输入了不存在的评议会代码（上限{limit}次）。"
                          "北京时间{until}起可再次进入，解除锁定则立即可以。",
    "codes.lock.unknown.rt": "所有评分轮次的新平板暂时无法加入：过去一小时内有{n}次输入了不存在的轮次代码（上限{limit}次）。"
                             "北京时间{until}起可再次加入，解除锁定则立即可以。",
    "codes.lock.unknown.dp": "所有德尔菲研究的新专家暂时无法加入：过去一小时内有{n}次输入了不存在的研究代码（上限{limit}次）。"
                             "北京时间{until}起可再次加入，解除锁定则立即可以。",
    "codes.lock.unknown.ws": "所有工作坊的新手机暂时无法加入：过去一小时内有{n}次输入了不存在的工作坊代码（上限{limit}次）。"
                             "北京时间{until}起可再次加入，解除锁定则立即可以。",
    "codes.lock.sessions": "因10分钟内输错5次而被锁定的手机：{n}部。",
    "codes.lock.counted": "过去一小时输错的投票码：{n}次（上限{limit}次）。",
    "codes.lift": "解除锁定",
    "codes.lift_help": "让新手机可以再次输入代码，并解锁已被锁定的手机。每解除一次，猜码的人就多50次机会："
                       "确认输错的是在场居民时再解除。",
    "codes.lifted": "已解除锁定。",

    "mt.err.withdrawn": "评议会{code}的结果已撤回。",
    "mt.err.not_revealed": "评议会{code}尚未公布结果，无可撤回。",
    "mt.err.no_reason": "请说明撤回的理由，历史记录会保存。",
    "mt.state.withdrawn": "结果已撤回：公布时写入的反馈记录已删除，各项得分恢复到公布之前。投票内容仍不公开。",
    "mt.withdraw": "撤回结果",
    "mt.withdraw_intro": "撤回将删除本次评议会公布时写入的{rows}条反馈记录，各社工站的得分和排名恢复到公布之前。历史记录同时保存公布和撤回。撤回后不能恢复，也不能再次公布。",
    "mt.withdraw_reason": "理由（记入历史）",
    "mt.withdraw_by": "您的姓名",
    "mt.withdraw_confirm": "我已了解：结果将被永久撤回",
    "mt.withdraw_button": "撤回",
    "mt.withdraw_unconfirmed": "请勾选确认，并填写理由。",
    "mt.withdrawn_done": "结果已撤回：删除了{rows}条反馈记录。",
    "mt.history": "结果的历史记录",
    "mt.event.reveal": "公布",
    "mt.event.withdraw": "撤回",
    "mt.col.event": "事项",
    "mt.col.at": "时间（北京时间）",
    "mt.col.by": "操作人",
    "mt.col.reason": "理由",
    "mt.col.rows": "反馈记录数",
}
