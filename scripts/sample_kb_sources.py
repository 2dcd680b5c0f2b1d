"""Source text of the sample knowledge base's Word, PowerPoint and PDF documents (see build_sample_kb.py)."""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {}

DOCUMENTS["it/wifi-printing-and-meeting-rooms.docx"] = """
# Wi-Fi, Printing and Meeting Room Technology

Owner: IT End-User Computing (Marcus Oyelaran, EUC Manager). Last reviewed: September 2026. This guide
applies to the Portland and Austin offices.

## Wi-Fi networks

- NW-Corp: the network for company laptops. It uses 802.1X with the device certificate installed by Jamf or
  Intune, so company laptops join automatically and no password is needed. Do not connect personal devices.
- NW-Guest: for visitors and personal phones. The password changes every day at 06:00 and is shown on the
  screens at reception and on the Workplace page of the intranet. Guest sessions last 8 hours and are
  limited to 25 Mbps.
- NW-Lab: an isolated network for hardware test devices in the Portland lab on the 7th floor. Devices are
  registered by MAC address through a ServiceDesk ticket under Network > Lab device.

If your laptop will not join NW-Corp, the device certificate has usually expired. Open Self Service (Mac) or
Company Portal (Windows) and run "Renew Wi-Fi certificate", then toggle Wi-Fi off and on.

## Printing with PaperCut Follow-Me

Both offices use Konica Minolta bizhub multifunction printers, two per floor, managed by PaperCut. There is
a single print queue called NW-Print. Install it from Self Service or Company Portal ("PaperCut Follow-Me").

- Send your document to NW-Print from any application.
- Walk to any printer in either office and tap your badge on the reader to release the job.
- Jobs that are not released within 24 hours are deleted automatically.
- Printing defaults to double-sided black and white. Colour is available, but colour jobs over 50 pages need
  approval from the Workplace team.

Because jobs are only released when you badge in, Follow-Me printing is the approved way to print
Confidential documents. Never leave printouts of Confidential or Restricted documents on the printer.

## Scanning

Tap your badge, choose "Scan to me", and the PDF is emailed to your Northwind address. Files over 20 MB are
saved to your OneDrive in a folder called "Scans" instead. A large-format plotter for design work (up to A0)
is in the Design area on the Portland 7th floor; ask in #workplace for help using it.

## Meeting room technology

Every bookable room has a Zoom Rooms system with a ceiling microphone, a camera and a touch controller on
the table. To join the meeting booked in the room, press "Join" on the controller. To share your screen
without joining a call, open Zoom and choose "Share screen", then enter the sharing key shown on the room
display. Large rooms also have a wireless presenter clicker in the drawer under the display.

If something in a meeting room does not work, press the "Help" button on the Zoom Rooms controller. This
pages the IT Tech Bar, which aims to arrive within 10 minutes during Tech Bar hours. Outside those hours,
raise a ticket in the ServiceDesk under Meeting rooms.

## Mobile phone signal

Mobile reception is weak in the Portland 8th floor Commons. Wi-Fi calling is supported by all major carriers
on NW-Guest; turn it on in your phone settings.
"""

DOCUMENTS["hr/parental-leave-policy.docx"] = """
# Parental Leave Policy

Owner: People team (Rosa Delgado, Director of People Operations). Effective January 1, 2026. Applies to all
employees in the United States; employees elsewhere receive at least the same benefit, adjusted to local
law.

## Who is eligible

Every employee who has worked at Northwind Labs for at least 90 days is eligible, regardless of gender,
sexual orientation or how they become a parent. The policy covers birth, adoption, foster placement and
surrogacy. Both parents are eligible if both work at Northwind.

## How much leave

- 16 weeks of fully paid parental leave, at 100% of base salary.
- Birthing parents also receive paid pregnancy recovery leave before parental leave begins: 6 weeks after a
  vaginal birth or 8 weeks after a caesarean birth, at 100% of base salary. This combines short-term
  disability and a Northwind top-up, so the birthing parent does not receive less than full pay.
- Leave can be taken in one block or in up to two blocks of at least 2 weeks each.
- All parental leave must be taken within 12 months of the birth or placement.

Northwind pay is coordinated with state programmes such as Paid Leave Oregon and Texas or federal FMLA job
protection. You apply for the state benefit as well, and Northwind tops up your pay to 100%.

## Phased return to work

After parental leave, you may take a 4-week phased return: work a 60% schedule (three days per week) while
receiving full pay. Agree the schedule with your manager before your leave begins.

## Benefits during leave

Your health, dental and vision coverage continues on the same terms, PTO keeps accruing, and your leave does
not affect your eligibility for promotions or your bonus. If a performance review cycle falls during your
leave, you will get a check-in conversation instead of a formal rating.

## Pregnancy loss

Employees who experience a miscarriage or stillbirth, and their partners, receive 2 weeks of paid leave. No
documentation is required.

## Adoption and surrogacy assistance

Northwind reimburses up to $5,000 per child of eligible adoption or surrogacy costs, such as agency and
legal fees. Submit receipts through Workday within 6 months of the placement.

## How to request leave

- Tell your manager and the People team at least 60 days before your expected leave date, or as soon as
  possible for adoption and foster placements.
- Submit the leave in Workday under Time Off > Request Leave of Absence.
- Our leave administrator, Tilt, will contact you within 2 business days to help with state paperwork.
- Plan a handover of your work with your manager.

## Contacts

Email leaves@northwind.example or ask the People team in #people-help. Conversations are kept confidential.
"""

DOCUMENTS["benefits/401k-retirement-plan.docx"] = """
# 401(k) Retirement Plan

Owner: People team (Naomi Fischer, Benefits Manager) and Finance. Plan record keeper: Fidelity Investments.
Applies to US employees. Last reviewed: January 2026.

## Eligibility and enrollment

All US employees aged 18 or over can join the Northwind Labs 401(k) Plan from their first day. If you do not
make an election, you are automatically enrolled 30 days after your start date at a contribution of 4% of
eligible pay, pre-tax. You can change or stop contributions at any time.

Manage your account on Fidelity NetBenefits (netbenefits.fidelity.example, linked from the Okta dashboard).
Changes take effect in the next payroll that is at least 5 business days away.

## Company match

Northwind matches 100% of your contributions up to 5% of your eligible pay. For example, if you earn
$120,000 and contribute at least 5% ($6,000), Northwind adds $6,000. Eligible pay includes base salary,
bonuses and commission.

- The match is paid every payroll, and a true-up in February makes sure you receive the full annual match
  even if you reached the IRS limit early in the year.
- The match vests immediately: it is 100% yours from the day it is paid.
- Roth and pre-tax contributions are both matched. The match itself is paid as pre-tax money.

## Contribution types

- Pre-tax: reduces your taxable income today; you pay tax when you withdraw.
- Roth 401(k): contributions are taxed now, and qualified withdrawals in retirement are tax-free.
- After-tax with in-plan Roth conversion: available once you reach the IRS pre-tax and Roth limit; Fidelity
  converts after-tax money to Roth automatically each day.
- Catch-up contributions are available from the year you turn 50.

Contribution limits follow the IRS annual limits, which Fidelity applies automatically.

## Automatic increase

Unless you opt out, your contribution rate goes up by 1 percentage point every April 1 until it reaches 10%.

## Investments

The default investment is the Fidelity Freedom Index target-date fund closest to the year you turn 65. You
can choose from 24 other funds, including index funds with fees under 0.10% and a self-directed brokerage
window. The Northwind Retirement Committee reviews the fund line-up every quarter with our investment
adviser.

## Loans and withdrawals

- You may have one loan outstanding at a time, up to 50% of your vested balance or $50,000, whichever is
  less, repaid through payroll over up to 5 years (15 years for buying a main home).
- Hardship withdrawals are allowed for IRS-approved reasons.
- You can roll money from a previous employer's plan or an IRA into the Northwind plan at any time.

## Free financial advice

Fidelity offers free one-to-one sessions with a financial planner, by phone or video. Book through
NetBenefits or call Fidelity on 1-800-555-0135. Northwind also hosts a retirement planning webinar every
quarter.

## Leaving Northwind

Your account remains yours. You can leave it in the plan if the balance is over $7,000, roll it over to a
new employer's plan or an IRA, or take a distribution (taxes and penalties may apply).
"""

DOCUMENTS["security/security-awareness-training.pptx"] = """
# Security Awareness Training 2026

Northwind Labs Security team - what every employee must complete and why

## Who needs to complete training

- Every employee, contractor and intern with a Northwind Okta account
- New starters: complete the New Hire Security module within 30 days of their start date
- Everyone: complete the Annual Security Refresher by October 31 each year
- Training is assigned automatically in KnowBe4 and linked from the Okta dashboard

## What the annual refresher covers

- About 45 minutes in total, split into 6 short modules you can pause and resume
- Phishing and social engineering, including voice and text message scams
- Passwords, Okta Verify and YubiKeys
- Handling data according to the Data Classification Standard
- Working securely while travelling and from home
- Acknowledging the Acceptable Use Policy
- A final quiz: the pass mark is 80%, and you can retake it as often as you need

## Extra training for engineers

- Secure coding training in Secure Code Warrior, covering the OWASP Top 10
- Due by November 30 each year for everyone who commits code to Northwind repositories
- Engineers with production access also complete a 20-minute module on secrets handling

## What happens if training is overdue

- Reminder emails are sent 14 days and 3 days before the deadline
- 7 days after the deadline, your manager is notified
- 30 days after the deadline, access to non-essential applications is restricted until you finish
- Completion rates by department are reported to the executive team every month

## Phishing simulations

- Simulated phishing emails arrive about once a month
- Use the Report Phish button in Outlook, exactly as for a real phish
- Clicking a simulation assigns a 5-minute refresher module

## Where to get help

- Questions about training: #security-help on Slack
- KnowBe4 access problems: raise a ServiceDesk ticket under Security > Training
- Accessibility needs, such as captions or a screen-reader version: contact the Security Awareness Lead,
  Aisha Demir
"""

DOCUMENTS["hr/new-hire-onboarding.pptx"] = """
# Welcome to Northwind Labs: Your First 90 Days

New hire onboarding guide from the People team

## Before your first day

- Your laptop is shipped to arrive at least 2 business days before your start date (remote staff) or is
  waiting at the Tech Bar (Portland and Austin)
- An Okta activation email goes to your personal email address 3 days before you start
- Bring identity documents for the Form I-9; it must be completed by your third day

## Day one

- Office staff: arrive at reception at 9:30 local time; your manager or buddy will meet you
- Remote staff: join the welcome Zoom at 9:30 Pacific time (link in the Okta activation email)
- New-hire orientation runs every Monday, 9:30 to 12:30 Pacific, with the People, IT and Security teams
- Set up Okta Verify, 1Password and Slack with the IT team during orientation

## Your first week

- Meet your onboarding buddy: an experienced colleague from another team who checks in weekly for 90 days
- Agree your 30-60-90 day plan with your manager by the end of week one
- Start the New Hire Security module in KnowBe4 (due within 30 days)
- Enroll in benefits in Workday within 30 days of your start date

## Useful Slack channels

- #general: company-wide announcements from the leadership team
- #it-help, #people-help, #security-help and #workplace: ask IT, People, Security and Workplace
- #newhires: introduce yourself and meet everyone who started this quarter
- #kudos: thank colleagues publicly

## Key links

- Intranet: intranet.northwind.example
- IT ServiceDesk: help.northwind.example
- Workday for HR, pay and time off; Navan for travel; Expensify for expenses
- Career ladders: intranet.northwind.example/people/career-ladders

## Days 30, 60 and 90

- Day 30: first formal check-in with your manager; give feedback on onboarding in the Lattice survey
- Day 60: review progress against your 30-60-90 plan
- Day 90: end-of-onboarding conversation; your probation period ends and you become eligible for the next
  performance review cycle
- Quarterly all-hands: first Thursday of each quarter in The Commons, Portland, streamed on Zoom
"""

DOCUMENTS["security/data-classification-standard.pdf"] = """
# Data Classification Standard

Standard number: SEC-STD-03. Owner: Security team (Tomás Ibarra, Head of Security), with Legal. Effective
January 1, 2026; last reviewed August 2026.

Every piece of Northwind Labs information belongs to one of four classes. The class decides where the data
may be stored, who may see it and how it must be shared. When you are unsure, treat the data as the higher
class and ask in #security-help.

## The four classes

- Public: approved for anyone, such as the website, published blog posts, press releases and open-source
  code.
- Internal: the default for company information that is not public, such as the intranet, org charts,
  internal wiki pages and most Slack conversations.
- Confidential: information that would harm Northwind or a partner if disclosed, such as contracts, pricing,
  financial results before publication, product roadmaps, employee performance records and source code.
- Restricted: the most sensitive data, such as customer production data, payment card data, Social Security
  numbers, bank details, health information, passwords, private keys and API secrets.

## Labels in Microsoft 365

Documents and emails in Microsoft 365 carry a sensitivity label applied with Microsoft Purview. New
documents are labelled Internal automatically. Apply the Confidential or Restricted label yourself when the
content requires it; Restricted documents are encrypted and cannot be opened outside Northwind.

## Handling rules

- Storage: Restricted data may only be stored in systems approved for it: the production AWS accounts, the
  Snowflake analytics warehouse in masked form, and NetSuite and Workday. Restricted data must never be kept
  on laptops, in spreadsheets or in Slack.
- Sharing outside Northwind: Confidential data may be shared externally only under a signed NDA or contract,
  using SharePoint external sharing links that expire after 30 days. Restricted data may be shared
  externally only with written approval from the data owner and the Head of Security.
- Email: to send Confidential data by email to an external address, type [secure] in the subject line, which
  encrypts the message. Restricted data must not be sent by email at all.
- Printing: print Confidential data only with PaperCut Follow-Me printing, and never print Restricted data.
- Test data: production customer data must never be copied into development or staging environments. Use the
  synthetic data sets published by the Data Platform team.

## Data owners and access reviews

Each system has a named data owner, usually a director, listed in the system inventory on the intranet.
Owners approve access requests and review who has access every quarter. Access to Restricted data is granted
for at most 12 months at a time and must be renewed.

## Retention and disposal

Keep data only as long as needed. Customer data is deleted within 30 days after a customer contract ends,
unless the contract says otherwise. Paper containing Confidential or Restricted data goes in the locked
shredding consoles on every floor, never in normal recycling. Old hard drives and laptops are wiped by IT
and destroyed by a certified disposal vendor, which issues a certificate of destruction for each device.

## Reporting mistakes

If Confidential or Restricted data is sent to the wrong person or shared by mistake, report it immediately
to the Security on-call line as described in the Security Incident Response policy. Quick reporting often
lets us recall the data before harm is done.
"""

DOCUMENTS["travel/expense-reimbursement-policy.pdf"] = """
# Expense Reimbursement Policy

Policy number: FIN-POL-04. Owner: Finance (Gabriel Moreau, Controller). Last reviewed: May 2026. This policy
explains how to claim back money you spend on Northwind Labs business and which expenses are covered.

## Submitting expenses in Expensify

- All out-of-pocket business expenses are claimed in Expensify, linked from the Okta dashboard.
- Submit each expense within 30 days of the purchase or the end of the trip. Claims older than 90 days are
  rejected except in exceptional cases approved by the Controller.
- An itemised receipt is required for every expense of $25 or more. Photograph receipts with the Expensify
  mobile app; paper originals do not need to be kept.
- If a receipt is lost, complete the Missing Receipt Declaration in Expensify. At most two declarations are
  accepted per quarter.

## Approval and payment

Your manager approves each report. Reports over $2,500 are also reviewed by the Finance team. Once approved,
reimbursements are paid by direct deposit to the bank account in Workday within 5 business days; they arrive
as a separate payment from your salary.

## Corporate card

Employees who travel more than four times per year, and all people managers, can apply for an American
Express corporate card through Expensify. Card transactions flow into Expensify automatically; attach
receipts and submit each month's transactions by the 10th of the following month. The corporate card must
never be used for personal purchases, even if you intend to pay them back.

## Meals with colleagues and clients

- Team meals and celebrations: up to $60 per person including tax and tip, with the most senior person
  present paying and claiming.
- Client entertainment: up to $120 per person. Above that, director approval is needed in advance. List the
  names and companies of all attendees on the claim.
- Alcohol is reimbursable only as part of client entertainment or an approved team celebration, and never
  more than two drinks per person.
- Tips are reimbursable up to 20%.

## Gifts

Gifts to clients and partners may not exceed $100 per recipient per year. Gifts of any value to government
officials or employees of state-owned companies are prohibited. Gifts of cash or gift cards to clients are
never allowed.

## Expenses that are not reimbursed

- Personal software or streaming subscriptions
- Traffic fines, parking tickets and penalties
- Hotel minibar, in-room movies and spa charges
- Laundry on trips shorter than 5 nights
- Upgrades to flights, hotels or rental cars
- Lost or stolen personal property, including luggage
- Childcare or pet care while travelling

## Mileage

Business use of a personal car is claimed in Expensify with the mileage tracker, at the IRS standard rate in
force on the date of travel.

## Questions and audits

Finance audits a random sample of 5% of expense reports every month. Deliberately false claims are treated
as gross misconduct. Questions about this policy go to expenses@northwind.example or #finance-help on Slack.
"""
