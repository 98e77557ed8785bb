"""Hand-written hotline sentences for checking a sentiment model on hotwatch's domain.

Negativity is applied to news about 12345 hotline failures, whose sentences are
mostly either complaints or official statements (responses, notices, apologies,
reports of fixes). These probes were written for hotwatch and are not from any
corpus; ``negative`` is True for complaints, False for neutral or positive
official/factual sentences. The training script and ``bench/sentiment_model.py``
report how each model separates them.
"""

from __future__ import annotations

from analysis.sentiment.corpus import LabelledText

COMPLAINTS = (
    "打了一上午12345热线，一直占线，根本打不进去。",
    "接线员态度极其恶劣，没说两句就把电话挂了。",
    "反映了三次小区噪音问题，工单每次都被直接办结，问题一点没解决。",
    "热线说会转给街道处理，结果一个月过去了没有任何人联系我。",
    "部门之间互相推诿扯皮，谁都不管，市民投诉无门。",
    "接线员忘记挂断电话，辱骂投诉人不要脸、神经病，令人气愤。",
    "回访电话里我明明说不满意，系统里却被记成了满意。",
    "拨打市长热线要求处理违建，工作人员敷衍了事，让我自己去找城管。",
    "停水三天了，打热线只得到一句正在协调，太让人失望了。",
    "工单显示已办结，可路灯到现在还是坏的，这不是糊弄老百姓吗？",
    "热线变成了踢皮球热线，打了十几次电话还是没人负责。",
    "网友吐槽热线形同虚设，反映的问题石沉大海。",
    "有居民称因为投诉物业，个人信息被泄露给了物业公司，遭到报复。",
    "工作人员要求投诉人撤销工单，否则就不给解决问题。",
    "多名市民反映热线语音导航太复杂，转了半天也找不到人工服务。",
    "投诉被要求“自行协商”，市民感到非常无奈和愤怒。",
    "12345热线接通后无人应答，随后自动挂断，市民怒斥服务太差。",
    "记者调查发现，部分工单存在虚假回复、敷衍办理等问题。",
    "家长多次投诉学校违规收费，热线却一直以不属于管辖范围为由拒绝受理。",
    "老人打热线求助被冷漠对待，网友纷纷指责相关部门不作为。",
)

OFFICIAL = (
    "市12345热线今年以来共受理群众诉求十二万件，按时办结率达到百分之九十八。",
    "接到市民反映后，街道立即组织工作人员到现场核实处理。",
    "目前，小区供水已经全面恢复，相关情况已向居民反馈。",
    "市政务服务中心表示，将进一步完善热线工单的回访机制。",
    "涉事接线员已被停职，热线管理部门向当事人诚恳道歉。",
    "工作人员耐心倾听市民诉求，当天就协调解决了问题。",
    "市民对处理结果表示满意，专门打来电话表示感谢。",
    "热线平台将开展服务质量专项整改，加强对接线员的培训。",
    "该工单已转交区住建局办理，承办单位将在五个工作日内答复。",
    "今年热线新增了夜间人工坐席，群众来电接通率明显提升。",
    "区城管局当天派人拆除了违建，并对现场进行了清理。",
    "热线负责人介绍，所有工单均实行首问负责制和限时办结制。",
    "市民可以通过电话、微信公众号和网站等多种渠道反映诉求。",
    "据了解，该市将热线办理情况纳入各部门年度绩效考核。",
    "社区工作人员主动上门回访，帮助老人办理了相关手续。",
    "路灯维修工作已经完成，夜间照明恢复正常。",
    "市长热线被评为全国优秀政务服务热线。",
    "针对群众反映集中的问题，市里召开专题会议研究解决办法。",
    "接线员用方言耐心解答老人的问题，获得网友点赞。",
    "相关部门表示，欢迎市民继续通过热线监督政府工作。",
)


def hotline_probes() -> list[LabelledText]:
    """Every probe as a labelled text (``positive`` meaning "not a complaint")."""
    return [LabelledText(t, False) for t in COMPLAINTS] + [LabelledText(t, True) for t in OFFICIAL]
