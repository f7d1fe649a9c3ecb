"""Seed the violation-type catalogue from directive 455/UBND-NV (2018), items 1 and 3."""

from django.db import migrations

DIRECTIVE = "Công văn 455/UBND-NV ngày 25/5/2018 của UBND huyện Vĩnh Hưng"

TYPES = [
    # code, name, category, legal basis
    ("late_early", "Đi muộn, về sớm", "working_hours",
     f"{DIRECTIVE}, mục 1: chấp hành nghiêm túc thời gian làm việc."),
    ("absent", "Vắng mặt tại cơ quan không vì lý do công tác", "working_hours",
     f"{DIRECTIVE}, mục 1: chấp hành nghiêm túc thời gian làm việc."),
    ("private_business", "Sử dụng thời gian làm việc để giải quyết việc riêng", "private_business",
     f"{DIRECTIVE}, mục 1: nghiêm cấm làm việc riêng trong giờ làm việc."),
    ("gathering", "Tụ tập ăn uống, tùy tiện ra ngoài trụ sở trong giờ làm việc", "private_business",
     f"{DIRECTIVE}, mục 1: nghiêm cấm tụ tập ăn uống, tùy tiện ra ngoài trụ sở trong giờ làm "
     "việc không vì mục đích công tác."),
    ("alcohol", "Uống rượu, bia trước và trong giờ làm việc", "alcohol",
     f"{DIRECTIVE}, mục 1: tuyệt đối không được uống rượu bia trước và trong giờ làm việc; "
     "Luật Phòng, chống tác hại của rượu, bia năm 2019, Điều 5."),
    ("no_badge", "Không đeo thẻ công chức khi thực thi công vụ", "badge_dress",
     f"{DIRECTIVE}, mục 1: thực hiện nghiêm túc đeo thẻ công chức khi thực hiện nhiệm vụ."),
    ("improper_dress", "Ăn mặc không gọn gàng, lịch sự khi thực hiện nhiệm vụ", "badge_dress",
     f"{DIRECTIVE}, mục 1: cán bộ, công chức, viên chức phải ăn mặc gọn gàng, lịch sự."),
    ("attitude", "Thái độ phục vụ Nhân dân chưa tốt, gây phiền hà cho tổ chức, công dân", "attitude",
     f"{DIRECTIVE}, mục 3: thái độ lịch sự, tôn trọng, hòa nhã và thân thiện khi giao dịch."),
    ("slow_task", "Chậm giải quyết công việc, không đạt yêu cầu", "task_performance",
     f"{DIRECTIVE}, mục 2 và mục 4: hoàn thành nhiệm vụ được phân công, đảm bảo chất lượng và "
     "thời gian quy định."),
    ("irresponsibility", "Thiếu tinh thần trách nhiệm trong thực thi công vụ", "task_performance",
     f"{DIRECTIVE}: nâng cao ý thức trách nhiệm trong thực thi công vụ."),
]


def seed(apps, schema_editor):
    ViolationType = apps.get_model("discipline", "ViolationType")
    for order, (code, name, category, legal_basis) in enumerate(TYPES, start=1):
        ViolationType.objects.update_or_create(
            code=code,
            defaults={"name": name, "category": category, "legal_basis": legal_basis,
                      "sort_order": order * 10},
        )


def unseed(apps, schema_editor):
    ViolationType = apps.get_model("discipline", "ViolationType")
    ViolationType.objects.filter(code__in=[t[0] for t in TYPES], violations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("discipline", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
